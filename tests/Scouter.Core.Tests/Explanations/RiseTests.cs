using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class RiseTests
{
    [Fact]
    public void Explain_PeaksOnTheRegionTheModelLooksAt()
    {
        using var region = new RegionCase();
        using var rise = Rise.Create(region.Model, masks: 400, gridSize: 4, options: new SaliencyOptions { Seed = 1, ForwardBatchSize = 100 });
        using var image = ones(1, 2, RegionCase.Height, RegionCase.Width);

        using var map = rise.Explain(image, ExplanationTarget.Class(0));

        region.AssertPeaksInRegion(map, margin: 0.2);
    }

    [Fact]
    public void Attribute_IsTheProbabilityWeightedMeanMask()
    {
        // A model whose probability does not depend on the input (p = 1/2) makes RISE's estimate
        // Σ p·M / (N·p_keep) = Σ M / (2·N·p_keep): the mean mask scaled by 1/(2·p_keep). Checked against masks drawn
        // from the same seed.
        using var model = new RegionModel(ones(RegionCase.Height, RegionCase.Width, dtype: ScalarType.Bool), alpha: 0);
        using var rise = Rise.Create(model, masks: 50, gridSize: 3, keepProbability: 0.4, options: new SaliencyOptions { Seed = 4, ForwardBatchSize = 50 });
        using var image = rand(1, 2, RegionCase.Height, RegionCase.Width);

        using var raw = rise.Attribute(image, ExplanationTarget.Class(0));

        using var generator = new Generator(4);
        using var masks = rise.DrawMasks(50, RegionCase.Height, RegionCase.Width, generator);
        using var expected = masks.squeeze(1).sum(0, keepdim: true) * 0.5f / (50 * 0.4f);
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void DrawMasks_AreSmoothAndKeepTheRequestedFractionOnAverage()
    {
        using var model = new RegionModel(ones(2, 2, dtype: ScalarType.Bool), alpha: 1);
        using var rise = Rise.Create(model, gridSize: 5, keepProbability: 0.3);
        using var generator = new Generator(7);

        using var masks = rise.DrawMasks(2000, 9, 13, generator);

        masks.shape.Should().Equal(2000, 1, 9, 13);
        masks.min().item<float>().Should().BeGreaterThanOrEqualTo(0);
        masks.max().item<float>().Should().BeLessThanOrEqualTo(1);
        masks.mean().item<float>().Should().BeApproximately(0.3f, 0.02f);
    }
}
