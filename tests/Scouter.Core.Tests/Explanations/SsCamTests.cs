using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class SsCamTests
{
    [Fact]
    public void Attribute_WithoutNoise_EqualsScoreCam()
    {
        using var region = new RegionCase();
        using var method = SsCam.Create(region.Model, samples: 3, noiseStd: 0);
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        using var expected = ScoreCamTests.Expected(ScoreCamTests.Sigmoid(2));
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Attribute_WithNoise_StillWeighsTheRegionChannelHighest()
    {
        // The map is w₀·1_R + w₁·1_{not R}; noise moves both weights, but E[w₀] = E[sigmoid(2(1 + δ̄))] > E[w₁] = E[sigmoid(2δ̄)].
        using var region = new RegionCase();
        using var method = SsCam.Create(region.Model, samples: 20, noiseStd: 0.5, options: new SaliencyOptions { Seed = 3 });
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        var inside = raw[0, RegionCase.Top, RegionCase.Left].item<float>();
        var outside = raw[0, 0, 0].item<float>();
        inside.Should().BeGreaterThan(outside + 0.2f);
        region.AssertPeaksInRegion(raw);
    }

    [Fact]
    public void Attribute_DoesNotDependOnTheForwardBatchSize()
    {
        using var region = new RegionCase();
        using var small = SsCam.Create(region.Model, samples: 4, noiseStd: 1, options: new SaliencyOptions { Seed = 9, ForwardBatchSize = 3 });
        using var large = SsCam.Create(region.Model, samples: 4, noiseStd: 1, options: new SaliencyOptions { Seed = 9, ForwardBatchSize = 64 });
        using var image = region.IndicatorImage();

        using var a = small.Attribute(image, ExplanationTarget.Class(0));
        using var b = large.Attribute(image, ExplanationTarget.Class(0));

        TensorAssert.Close(a, b, rtol: 1e-6, atol: 1e-7);
    }
}
