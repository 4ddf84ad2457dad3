// The pointing game: Zhang et al., "Top-down Neural Attention by Excitation Backprop", ECCV 2016 (IJCV 2018).
using Scouter.Core.Compat;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// The pointing game (Zhang et al., ECCV 2016): a hit when the map's maximum lies within <c>tolerance</c> pixels of the
/// ground-truth region. The original uses a tolerance of 15 pixels at ImageNet resolution; when several pixels share
/// the maximum, the first in row-major order counts.
/// </summary>
public static class PointingGame
{
    /// <summary>Whether each map's maximum hits its region.</summary>
    /// <param name="maps">Maps <c>[B, H, W]</c>.</param>
    /// <param name="regions">Ground truth <c>[B, H, W]</c>.</param>
    /// <param name="tolerance">Distance in pixels (between pixel centres) within which a point still hits (≥ 0, default 15).</param>
    /// <returns>Hits <c>[B]</c>, bool.</returns>
    public static Tensor Hits(Tensor maps, Tensor regions, double tolerance = 15)
    {
        MetricChecks.Maps(maps, nameof(PointingGame));
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The pointing-game tolerance is a distance in pixels, ≥ 0.");
        }

        using var scope = NewDisposeScope();
        var inside = MetricChecks.Regions(regions, maps, nameof(PointingGame));
        long b = maps.shape[0], height = maps.shape[1], width = maps.shape[2];
        using var scalars = new ScalarScope();
        var flat = maps.reshape(b, -1).argmax(1);
        var row = flat.div(scalars.Of(width), rounding_mode: RoundingMode.floor).to(ScalarType.Float64).view(b, 1, 1);
        var col = flat.remainder(scalars.Of(width)).to(ScalarType.Float64).view(b, 1, 1);
        var rows = scalars.Range(height, ScalarType.Float64, maps.device).view(1, -1, 1);
        var cols = scalars.Range(width, ScalarType.Float64, maps.device).view(1, 1, -1);
        var near = (rows - row).Squared().Plus((cols - col).Squared()).le(scalars.Of(tolerance * tolerance));
        return near.logical_and(inside).flatten(1).any(1).MoveToOuterDisposeScope();
    }
}
