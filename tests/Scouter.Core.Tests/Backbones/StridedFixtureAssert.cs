using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>Compares a feature map with a <see cref="BackboneFixtures.StridedForward"/> fixture.</summary>
public static class StridedFixtureAssert
{
    /// <summary>Shape, per-channel means, per-position means (over all channels) and the first channels' full maps.</summary>
    public static void Matches(Tensor features, BackboneFixtures.StridedForward fixture, double rtol = 1e-5, double atol = 1e-5)
    {
        var shape = fixture.FeaturesShape;
        features.shape.Should().Equal(shape);
        using var scope = NewDisposeScope();
        TensorAssert.Close(features.mean([0L, 2L, 3L]), fixture.Tensor("feature_channel_means", shape[1]), rtol, atol, because: "feature channel means");
        TensorAssert.Close(features.mean([0L, 1L]), fixture.Tensor("feature_spatial_means", shape[2], shape[3]), rtol, atol, because: "feature means per position");
        var slice = fixture.SliceChannels;
        TensorAssert.Close(features.narrow(1, 0, slice), fixture.Tensor("feature_slice", shape[0], slice, shape[2], shape[3]), rtol, atol, because: $"the first {slice} channels' maps");
    }
}
