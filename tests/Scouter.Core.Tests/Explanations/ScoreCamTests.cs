using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class ScoreCamTests
{
    // Activations = the image (identity layer): M₀ = 1_R, M₁ = 1_{not R}, already min–max normalised.
    // x ⊙ M₀ keeps channel 0 inside R: mean over R and both channels = 1/2 → p₀ = sigmoid(α/2) = sigmoid(2).
    // x ⊙ M₁ has nothing in R → p₀ = sigmoid(0) = 1/2. Map = sigmoid(2)·1_R + 1/2·1_{not R}.
    internal static Tensor Expected(float insideWeight) =>
        where(ToyModels.Region(RegionCase.Height, RegionCase.Width, RegionCase.Top, RegionCase.Left, RegionCase.RegionHeight, RegionCase.RegionWidth),
            tensor(insideWeight), tensor(0.5f)).unsqueeze(0);

    internal static float Sigmoid(double x) => (float)(1 / (1 + Math.Exp(-x)));

    [Fact]
    public void Attribute_WeighsEachChannelByTheProbabilityOfItsMaskedImage()
    {
        using var region = new RegionCase();
        using var method = ScoreCam.Create(region.Model, options: new SaliencyOptions { ForwardBatchSize = 1 });
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        using var expected = Expected(Sigmoid(2));
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-6);
        method.TargetLayerName.Should().Be("features");
    }

    [Fact]
    public void Explain_IsOneInsideTheRegionAndZeroOutside()
    {
        using var region = new RegionCase();
        using var method = ScoreCam.Create(region.Model);
        using var image = region.IndicatorImage();

        using var map = method.Explain(image, ExplanationTarget.Class(0));

        using var expected = region.Region.to(ScalarType.Float32).unsqueeze(0);
        TensorAssert.Close(map, expected, rtol: 0, atol: 1e-6);
    }

    [Fact]
    public void NotClassTarget_ScoresOneMinusTheProbability()
    {
        // Weights become 1 − sigmoid(2) inside and 1/2 outside: the complement now carries the larger weight.
        using var region = new RegionCase();
        using var method = ScoreCam.Create(region.Model);
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.NotClass(0));

        using var expected = Expected(1 - Sigmoid(2));
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-6);
    }
}
