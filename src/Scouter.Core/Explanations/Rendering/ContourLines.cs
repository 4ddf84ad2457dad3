using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Contour lines of maps drawn over images, like a topographic map: the outline of every region where a map reaches a
/// level, in the colour a colour scale gives that level, so the image stays visible between the lines.
/// </summary>
public static class ContourLines
{
    /// <summary>
    /// Draws, for every level <c>ℓ</c>, the pixels of the region <c>map ≥ ℓ</c> that lie within
    /// <paramref name="thickness"/> pixels of a pixel outside it (the image's own border is no outline), in the colour of
    /// table entry <c>⌊255·ℓ⌋</c>. Where the lines of two levels meet, the higher level's is drawn.
    /// </summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c>; one channel is drawn as grey.</param>
    /// <param name="maps">Floating-point maps <c>[B, H, W]</c> in <c>[0, 1]</c> at the images' size.</param>
    /// <param name="levels">Levels in <c>(0, 1]</c>, at least one.</param>
    /// <param name="colormap">The colour scale (default: matplotlib's jet).</param>
    /// <param name="thickness">Line width in pixels (at least 1).</param>
    /// <returns>uint8 RGB images <c>[B, 3, H, W]</c>.</returns>
    public static Tensor Draw(Tensor images, Tensor maps, IReadOnlyList<double> levels, Colormap? colormap = null, int thickness = 1)
    {
        TensorChecks.Rank(images, 4, nameof(ContourLines), "uint8 images [B, 1 or 3, H, W]", nameof(images));
        TensorChecks.Rank(maps, 3, nameof(ContourLines), "maps [B, H, W]", nameof(maps));
        TensorChecks.FloatingPoint(maps, nameof(ContourLines), nameof(maps));
        if (maps.shape[0] != images.shape[0] || maps.shape[1] != images.shape[2] || maps.shape[2] != images.shape[3])
        {
            throw new ArgumentException($"{nameof(ContourLines)} expects one map per image at the image's size [{images.shape[0]}, {images.shape[2]}, {images.shape[3]}]; got {TensorChecks.Describe(maps)}.", nameof(maps));
        }

        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0 || levels.Any(l => !(l > 0 && l <= 1)))
        {
            throw new ArgumentException($"Contour levels must lie in (0, 1], at least one; got [{string.Join(", ", levels)}].", nameof(levels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var rgb = ImageTensors.ToRgb(images);
        var ordered = levels.Distinct().Order().ToArray();
        var device = maps.device;
        var thresholds = tensor(ordered.Select(l => (float)l).ToArray(), device: device).view(1, -1, 1, 1);
        var inside = maps.to(ScalarType.Float32).unsqueeze(1).ge(thresholds); // [B, L, H, W]
        // A pixel is on the line when some pixel within `thickness` is outside; max-pooling pads with −∞, so beyond the
        // image's border counts as inside and the border draws no line.
        var outside = inside.logical_not().to(ScalarType.Float32);
        var nearOutside = nn.functional.max_pool2d(outside, 2 * thickness + 1, stride: 1, padding: thickness).gt(scalars.Of(0));
        var line = inside.logical_and(nearOutside);

        // The highest level whose line passes through each pixel (0: none), one lookup into [none, level 1, …].
        var rank = scalars.Range(ordered.Length, device: device).add(ScalarScope.One).view(1, -1, 1, 1);
        var top = line.to(ScalarType.Int64).mul(rank).amax([1]); // [B, H, W]
        var indices = tensor(ordered.Select(l => (long)Math.Floor(255 * l)).Prepend(0L).ToArray(), device: device);
        var colours = (colormap ?? Colormap.MatplotlibJet).LookupTable(device).index_select(0, indices); // [L + 1, 3]
        var drawn = colours.index_select(0, top.flatten()).view(top.shape[0], top.shape[1], top.shape[2], 3).permute(0, 3, 1, 2);
        return where(top.gt(scalars.Of(0)).unsqueeze(1), drawn, rgb).contiguous().MoveToOuterDisposeScope();
    }
}
