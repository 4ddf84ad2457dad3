// Per-class explanation maps as tensors: the normalisation, upsampling and area size of the official
// visualisation (docs/official-implementation.md §3), without writing any file.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// Operations on per-class explanation maps <c>[B, n, h, w]</c> (<see cref="Modules.HeadOutput.ClassMaps"/>).
/// All are batched over images and classes, return new tensors and write nothing to disk.
/// </summary>
public static class ExplanationMaps
{
    /// <summary>
    /// Min–max normalises each image's maps <em>jointly over all classes</em> to <c>[0, 1]</c>, as the official
    /// visualisation does, so maps of one image stay comparable across classes.
    /// </summary>
    /// <param name="classMaps">Maps <c>[B, n, h, w]</c>.</param>
    /// <returns><c>(A − min) / (max − min)</c> per image; an image whose maps are all equal gives zeros
    /// (the official code divides by zero there).</returns>
    public static Tensor NormalizeJointly(Tensor classMaps)
    {
        CheckMaps(classMaps, nameof(classMaps));
        return MinMax(classMaps.flatten(1)).view_as(classMaps);
    }

    /// <summary>Min–max normalises every (image, class) map on its own to <c>[0, 1]</c>.</summary>
    /// <param name="classMaps">Maps <c>[B, n, h, w]</c>.</param>
    /// <returns>Normalised maps; a constant map gives zeros.</returns>
    public static Tensor NormalizePerClass(Tensor classMaps)
    {
        CheckMaps(classMaps, nameof(classMaps));
        return MinMax(classMaps.flatten(2)).view_as(classMaps);
    }

    /// <summary>
    /// The post-processing the official code applies to every baseline map (docs/official-implementation.md §3, <c>grad_min_level</c>):
    /// ReLU, min–max normalisation, a floor at <paramref name="gradMinLevel"/>, and min–max normalisation again.
    /// </summary>
    /// <param name="maps">Maps <c>[B, n, h, w]</c>, floating point.</param>
    /// <param name="gradMinLevel">The floor in <c>[0, 1]</c>; 0 (the official default) leaves a normalised map unchanged.</param>
    /// <param name="jointly">Normalise each image's maps jointly over the <c>n</c> maps (as the official SCOUTER
    /// visualisation does) instead of each map on its own (as the official baseline code does).</param>
    /// <returns>Maps in <c>[0, 1]</c>, same shape; a constant map gives zeros.</returns>
    public static Tensor NormalizeWithFloor(Tensor maps, double gradMinLevel, bool jointly = false)
    {
        CheckMaps(maps, nameof(maps));
        TensorChecks.FloatingPoint(maps, nameof(NormalizeWithFloor), nameof(maps));
        if (!(gradMinLevel >= 0 && gradMinLevel <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gradMinLevel), gradMinLevel, "grad_min_level is a floor on maps normalised to [0, 1]; it must lie in [0, 1].");
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var grouped = nn.functional.relu(maps).flatten(jointly ? 1 : 2);
        var normalized = MinMax(grouped);
        if (gradMinLevel > 0)
        {
            normalized = MinMax(normalized.clamp_min(scalars.Of(gradMinLevel)));
        }

        return normalized.view_as(maps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The official visualisation's 8-bit maps: joint min–max normalisation per image, times 255, truncated to
    /// <c>uint8</c> (as NumPy's <c>astype(np.uint8)</c> does).
    /// </summary>
    /// <param name="classMaps">Maps <c>[B, n, h, w]</c>.</param>
    /// <returns>A <c>uint8</c> tensor <c>[B, n, h, w]</c>.</returns>
    public static Tensor ToOfficialUInt8(Tensor classMaps)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var normalized = NormalizeJointly(classMaps).to(ScalarType.Float32);
        return normalized.mul_(scalars.Of(255f)).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Area size of the official <c>cal_area_size</c>: the sum of each class's 8-bit map divided by <c>h·w·255</c>.
    /// </summary>
    /// <param name="uint8Maps">Maps from <see cref="ToOfficialUInt8"/>, <c>[B, n, h, w]</c>.</param>
    /// <returns>Area sizes <c>[B, n]</c> in <c>[0, 1]</c>, float32.</returns>
    public static Tensor AreaSize(Tensor uint8Maps)
    {
        CheckMaps(uint8Maps, nameof(uint8Maps));
        if (uint8Maps.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"AreaSize expects the 8-bit maps of ToOfficialUInt8 (uint8); got {TensorChecks.Describe(uint8Maps)}.", nameof(uint8Maps));
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var pixels = uint8Maps.shape[2] * uint8Maps.shape[3];
        return uint8Maps.to(ScalarType.Float32).sum([2L, 3L]).div_(scalars.Of(pixels * 255.0)).MoveToOuterDisposeScope();
    }

    /// <summary>Bilinearly upsamples maps to an image size (<c>align_corners = false</c>).</summary>
    /// <param name="maps">Maps <c>[B, n, h, w]</c>, floating point.</param>
    /// <param name="height">Target height (≥ 1).</param>
    /// <param name="width">Target width (≥ 1).</param>
    /// <returns>Maps <c>[B, n, height, width]</c>.</returns>
    public static Tensor Upsample(Tensor maps, long height, long width)
    {
        CheckMaps(maps, nameof(maps));
        TensorChecks.FloatingPoint(maps, nameof(Upsample), nameof(maps));
        if (height < 1 || width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"Upsample needs a target size of at least 1×1; got {height}×{width}.");
        }

        return nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    /// <summary>Selects one class's map per image, e.g. the predicted or the ground-truth class.</summary>
    /// <param name="classMaps">Maps <c>[B, n, h, w]</c>.</param>
    /// <param name="classIndices">One class index per image, <c>[B]</c>, integer.</param>
    /// <returns>Maps <c>[B, h, w]</c>.</returns>
    public static Tensor SelectClass(Tensor classMaps, Tensor classIndices)
    {
        CheckMaps(classMaps, nameof(classMaps));
        TensorChecks.Rank(classIndices, 1, nameof(SelectClass), $"class indices [B = {classMaps.shape[0]}]", nameof(classIndices));
        if (classIndices.shape[0] != classMaps.shape[0])
        {
            throw new ArgumentException($"SelectClass expects one class index per image ({classMaps.shape[0]}); got {TensorChecks.Describe(classIndices)}.", nameof(classIndices));
        }

        using var scope = NewDisposeScope();
        var index = classIndices.to(ScalarType.Int64).view(-1, 1, 1, 1).expand(-1, 1, classMaps.shape[2], classMaps.shape[3]);
        return classMaps.gather(1, index).squeeze(1).MoveToOuterDisposeScope();
    }

    private static Tensor MinMax(Tensor grouped)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var min = grouped.amin([-1L], keepdim: true);
        var range = grouped.amax([-1L], keepdim: true) - min;

        // A constant map carries no location information; zeros are the honest answer, not NaN.
        var safeRange = where(range.gt(scalars.Of(0)), range, ones_like(range));
        var result = (grouped - min) / safeRange;
        return result.contiguous().MoveToOuterDisposeScope();
    }

    private static void CheckMaps(Tensor maps, string paramName)
    {
        TensorChecks.Rank(maps, 4, nameof(ExplanationMaps), "maps [B, n, h, w]", paramName);
        if (maps.numel() == 0)
        {
            throw new ArgumentException($"{nameof(ExplanationMaps)} expects non-empty maps; got {TensorChecks.Describe(maps)}.", paramName);
        }
    }
}
