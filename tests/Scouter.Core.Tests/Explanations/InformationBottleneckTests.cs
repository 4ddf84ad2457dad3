using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class InformationBottleneckTests
{
    [Fact]
    public void Explain_KeepsInformationWhereTheModelReadsIt()
    {
        // Only channel 0 inside R reaches the logit; everywhere else the information term pushes λ to 0 at no cost,
        // so the capacity (the map) concentrates on R.
        manual_seed(11);
        using var region = new RegionCase(channels: [0]);
        using var iba = InformationBottleneck.Create(region.Model, beta: 1, iterations: 20, samples: 4, learningRate: 0.5, smoothingSigma: 0.5, options: new SaliencyOptions { Seed = 2 });
        iba.EstimateStatistics(Enumerable.Range(0, 4).Select(_ => randn(16, 2, RegionCase.Height, RegionCase.Width)));
        using var image = region.IndicatorImage() * 2;

        using var map = iba.Explain(image, ExplanationTarget.Class(0));

        iba.EstimatedFrom.Should().Be(64);
        iba.TargetLayerName.Should().Be("features");
        region.AssertPeaksInRegion(map, margin: 0.3);
    }

    [Fact]
    public void Attribute_IsTheCapacityInBitsAtTheLayerResolution()
    {
        manual_seed(12);
        using var region = new RegionCase(channels: [0]);
        using var iba = InformationBottleneck.Create(region.Model, iterations: 2, samples: 2);
        using var images = randn(3, 2, RegionCase.Height, RegionCase.Width);

        using var raw = iba.Attribute(images, ExplanationTarget.Class(0, 1, 0));

        raw.shape.Should().Equal(3, RegionCase.Height, RegionCase.Width);
        raw.min().item<float>().Should().BeGreaterThanOrEqualTo(0, "a KL divergence is never negative");
        raw.isfinite().all().item<bool>().Should().BeTrue();
    }
}
