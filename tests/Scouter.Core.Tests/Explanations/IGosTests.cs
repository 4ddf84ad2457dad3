using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class IGosTests
{
    [Fact]
    public void Explain_DeletesTheRegionTheModelLooksAt()
    {
        // Replacing R by its blurred version lowers p₀ most; the deletion map 1 − M must concentrate on R.
        using var region = new RegionCase(channels: [0]);
        using var method = IGos.Create(region.Model, iterations: 8, integrationSteps: 5, maskStride: 1, l1Weight: 0.05, tvWeight: 0.05, blurSigma: 2, noiseStd: 0);
        using var image = region.IndicatorImage() * 3;

        using var map = method.Explain(image, ExplanationTarget.Class(0));

        region.AssertPeaksInRegion(map, margin: 0.3);
    }

    [Fact]
    public void Attribute_StartsFromTheFullImage_SoNoIterationMeansNoDeletion()
    {
        // With no pull from the model (α = 0) and no area cost, the gradient is zero and the mask stays at 1: map 0.
        using var model = new RegionModel(ones(RegionCase.Height, RegionCase.Width, dtype: ScalarType.Bool), alpha: 0);
        using var method = IGos.Create(model, iterations: 2, integrationSteps: 2, maskStride: 2, l1Weight: 0, tvWeight: 0, noiseStd: 0);
        using var image = rand(1, 2, RegionCase.Height, RegionCase.Width);

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        raw.shape.Should().Equal(1, 3, 4);
        raw.abs().max().item<float>().Should().Be(0);
    }
}
