using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class LocalizationPrecisionTests
{
    [Fact]
    public void Compute_IsTheShareOfTheMapInsideTheRegion()
    {
        // 2×3 map, total 10; the box x ∈ [0, 2], y ∈ [0, 1] covers the first two pixels of row 0: 3 + 4 = 7 → 0.7.
        using var maps = tensor(new float[] { 3, 4, 1, 0, 2, 0 }).view(1, 2, 3);
        using var boxes = tensor(new float[] { 0, 0, 2, 1 }).view(1, 1, 4);
        using var regions = RegionMasks.FromBoxes(boxes, 2, 3);

        using var precision = LocalizationPrecision.Compute(maps, regions);

        precision.item<float>().Should().BeApproximately(0.7f, 1e-6f);
    }

    [Fact]
    public void Compute_GivesZeroForAnEmptyMap_AndAcceptsNumericMasks()
    {
        using var maps = zeros(1, 2, 2);
        using var mask = ones(1, 2, 2);
        using var precision = LocalizationPrecision.Compute(maps, mask);
        precision.item<float>().Should().Be(0);
    }

    [Fact]
    public void Compute_RejectsARegionOfAnotherSize()
    {
        using var maps = ones(1, 2, 3);
        using var regions = ones(1, 3, 2, dtype: ScalarType.Bool);
        var act = () => LocalizationPrecision.Compute(maps, regions);
        act.Should().Throw<ArgumentException>().WithMessage("*shaped like the maps [1, 2, 3]*[1, 3, 2]*");
    }
}
