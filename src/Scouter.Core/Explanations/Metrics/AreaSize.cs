using Scouter.Core.Internal;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Area size: how much of the image an explanation covers (SCOUTER paper, §4.2). Smaller is more focused.
/// </summary>
public static class AreaSize
{
    /// <summary>
    /// The official <c>cal_area_size</c> for SCOUTER maps: each image's class maps are normalised jointly, cast to
    /// 8 bits (<see cref="ExplanationMaps.ToOfficialUInt8"/>), and the explained class's map summed and divided by
    /// <c>h·w·255</c>.
    /// </summary>
    /// <param name="classMaps">SCOUTER class maps <c>[B, n, h, w]</c> (<see cref="Modules.HeadOutput.ClassMaps"/>).</param>
    /// <param name="classes">The explained class of each image <c>[B]</c>.</param>
    /// <returns>Area sizes <c>[B]</c> in <c>[0, 1]</c>.</returns>
    public static Tensor Official(Tensor classMaps, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var perClass = ExplanationMaps.AreaSize(ExplanationMaps.ToOfficialUInt8(classMaps)); // [B, n]
        var selected = ExplanationMaps.SelectClass(perClass.unsqueeze(-1).unsqueeze(-1), classes);
        return selected.flatten().MoveToOuterDisposeScope();
    }

    /// <summary>The mean value of maps normalised to <c>[0, 1]</c>, the same quantity for any map at any size.</summary>
    /// <param name="maps">Maps <c>[B, H, W]</c> in <c>[0, 1]</c>.</param>
    /// <returns>Area sizes <c>[B]</c>.</returns>
    public static Tensor Mean(Tensor maps)
    {
        MetricChecks.Maps(maps, nameof(AreaSize));
        return maps.mean([1L, 2L]);
    }
}
