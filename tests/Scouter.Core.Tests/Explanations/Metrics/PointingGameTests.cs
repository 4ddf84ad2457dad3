using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class PointingGameTests
{
    [Fact]
    public void Hits_WhenTheMaximumLiesInTheRegion()
    {
        // 3×5 maps; image 0 peaks at (2, 4) inside its region {(2, 4)}; image 1 peaks at (0, 4), its region is (0, 0).
        using var maps = zeros(2, 3, 5);
        maps[0, 2, 4] = tensor(1f);
        maps[1, 0, 4] = tensor(1f);
        using var regions = zeros(2, 3, 5, dtype: ScalarType.Bool);
        regions[0, 2, 4] = tensor(true);
        regions[1, 0, 0] = tensor(true);

        using var hits = PointingGame.Hits(maps, regions, tolerance: 0);

        hits.data<bool>().ToArray().Should().Equal(true, false);
    }

    [Fact]
    public void Hits_WithinTheTolerance_MeasuredAlongTheRow()
    {
        // Peak at column 4, region at column 0 of the same row: distance 4.
        using var maps = zeros(1, 3, 5);
        maps[0, 1, 4] = tensor(1f);
        using var regions = zeros(1, 3, 5, dtype: ScalarType.Bool);
        regions[0, 1, 0] = tensor(true);

        using var near = PointingGame.Hits(maps, regions, tolerance: 4);
        using var far = PointingGame.Hits(maps, regions, tolerance: 3.9);

        near.item<bool>().Should().BeTrue();
        far.item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Hits_TakesTheFirstMaximumInRowMajorOrder()
    {
        // Two equal maxima at (0, 2) and (2, 0); only (2, 0) is in the region → the first, (0, 2), misses.
        using var maps = zeros(1, 3, 3);
        maps[0, 0, 2] = tensor(1f);
        maps[0, 2, 0] = tensor(1f);
        using var regions = zeros(1, 3, 3, dtype: ScalarType.Bool);
        regions[0, 2, 0] = tensor(true);

        using var hits = PointingGame.Hits(maps, regions, tolerance: 0);

        hits.item<bool>().Should().BeFalse();
    }
}
