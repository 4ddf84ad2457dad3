using Scouter.Core.Compat;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Precision of an explanation against ground truth, as the SCOUTER paper defines it (§4.2): the share of the map's
/// total value that falls inside the ground-truth region, <c>Σ(map ⊙ region) / Σ map</c>, with the map at image size.
/// </summary>
public static class LocalizationPrecision
{
    /// <summary>Precision per image; a map that is zero everywhere has precision 0.</summary>
    /// <param name="maps">Non-negative maps <c>[B, H, W]</c> at the image size.</param>
    /// <param name="regions">Ground truth <c>[B, H, W]</c>: a mask, or <see cref="RegionMasks.FromBoxes"/>.</param>
    /// <returns>Precisions <c>[B]</c> in <c>[0, 1]</c>.</returns>
    public static Tensor Compute(Tensor maps, Tensor regions)
    {
        MetricChecks.Maps(maps, nameof(LocalizationPrecision));
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var inside = MetricChecks.Regions(regions, maps, nameof(LocalizationPrecision)).to(maps.dtype);
        var total = maps.sum([1L, 2L]);
        var hit = (maps * inside).sum([1L, 2L]);
        var any = total.gt(scalars.Of(0));
        return where(any, hit / where(any, total, ones_like(total)), zeros_like(total)).MoveToOuterDisposeScope();
    }
}
