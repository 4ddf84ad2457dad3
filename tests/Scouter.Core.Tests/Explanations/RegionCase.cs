using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

/// <summary>
/// The region case of the perturbation-method tests: a 6×8 image, a 2×3 region R at rows 2–3, columns 3–5, and a
/// <see cref="RegionModel"/> with α = 4 whose class-0 logit is α · mean over R.
/// </summary>
public sealed class RegionCase : IDisposable
{
    public const long Height = 6, Width = 8, Top = 2, Left = 3, RegionHeight = 2, RegionWidth = 3;
    public const double Alpha = 4;

    public RegionCase(long[]? channels = null)
    {
        Region = ToyModels.Region(Height, Width, Top, Left, RegionHeight, RegionWidth);
        Model = new RegionModel(Region, Alpha, channels);
    }

    public Tensor Region { get; }

    public RegionModel Model { get; }

    /// <summary>Two channels: the indicator of R and the indicator of its complement.</summary>
    public Tensor IndicatorImage()
    {
        var inside = Region.to(ScalarType.Float32);
        return stack([inside, 1 - inside]).unsqueeze(0);
    }

    /// <summary>Asserts that a map [1, H, W] is largest inside R and larger on average inside than outside.</summary>
    public void AssertPeaksInRegion(Tensor map, double margin = 0.1)
    {
        map.shape.Should().Equal(1, Height, Width);
        var flat = map.flatten();
        var argmax = flat.argmax().item<long>();
        Region.flatten()[argmax].item<bool>().Should().BeTrue($"the maximum (at {argmax / Width}, {argmax % Width}) must lie in R");
        var inside = map[0].masked_select(Region).mean().item<float>();
        var outside = map[0].masked_select(Region.logical_not()).mean().item<float>();
        inside.Should().BeGreaterThan(outside + (float)margin, "the map must concentrate on R");
    }

    public void Dispose()
    {
        Model.Dispose();
        Region.Dispose();
    }
}
