using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class ExtremalPerturbationTests
{
    [Fact]
    public void Explain_PreservesTheRegionTheModelLooksAt()
    {
        // The image is bright on R only; blurring spreads R's brightness out, so the score drops unless the mask
        // keeps R. With an area of |R| / HW the best mask is R itself.
        using var region = new RegionCase(channels: [0]);
        using var method = ExtremalPerturbation.Create(region.Model, area: 6.0 / 48, iterations: 30, maskStride: 1, blurSigma: 2, learningRate: 0.1, areaWeight: 20);
        using var image = region.IndicatorImage();

        using var map = method.Explain(image, ExplanationTarget.Class(0));

        using var expected = region.Region.to(ScalarType.Float32).unsqueeze(0);
        TensorAssert.Close(map, expected, rtol: 0, atol: 0.05, because: "the optimal mask of area |R| is R");
    }

    [Fact]
    public void Attribute_IsAMaskInTheUnitIntervalAtTheMaskResolution()
    {
        using var region = new RegionCase(channels: [0]);
        using var method = ExtremalPerturbation.Create(region.Model, iterations: 3, maskStride: 3, blurSigma: 2);
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        raw.shape.Should().Equal(1, 2, 3); // ⌈6/3⌉ × ⌈8/3⌉
        raw.min().item<float>().Should().BeGreaterThanOrEqualTo(0);
        raw.max().item<float>().Should().BeLessThanOrEqualTo(1);
    }
}
