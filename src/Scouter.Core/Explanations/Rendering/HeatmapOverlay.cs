// The official SCOUTER overlay (sloter/utils/vis.py, apply_colormap_on_image): the map's colours get alpha
// ⌊0.4·255⌋ = 102 and are alpha-composited over the opaque image with Pillow's Image.alpha_composite, whose integer
// arithmetic (libImaging/AlphaComposite.c, 7 extra bits, rounded division by 255) is reproduced here.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>Heatmaps over images, batched, with the official visualisation's colours, resizing and blending.</summary>
public static class HeatmapOverlay
{
    /// <summary>The official overlay's opacity of the heatmap.</summary>
    public const double OfficialAlpha = 0.4;

    /// <summary>
    /// Composites coloured heatmaps over opaque images with opacity <paramref name="alpha"/>, as Pillow's
    /// <c>alpha_composite</c> does for an 8-bit alpha <c>a = ⌊alpha·255⌋</c>:
    /// <c>out = round((a·heat + (255 − a)·image) / 255)</c> in Pillow's fixed-point form.
    /// </summary>
    /// <param name="images">uint8 images <c>[..., 1 or 3, H, W]</c>; one channel is treated as grey.</param>
    /// <param name="heatmaps">uint8 RGB heatmaps <c>[..., 3, H, W]</c> with the same leading shape.</param>
    /// <param name="alpha">Opacity of the heatmap in <c>[0, 1]</c> (official: 0.4).</param>
    /// <returns>uint8 RGB images <c>[..., 3, H, W]</c>.</returns>
    public static Tensor Blend(Tensor images, Tensor heatmaps, double alpha = OfficialAlpha)
    {
        TensorChecks.NotNull(images, nameof(images));
        TensorChecks.NotNull(heatmaps, nameof(heatmaps));
        if (images.dtype != ScalarType.Byte || heatmaps.dtype != ScalarType.Byte || images.dim() < 3 || images.dim() != heatmaps.dim()
            || heatmaps.shape[^3] != 3 || (images.shape[^3] != 1 && images.shape[^3] != 3)
            || !images.shape[..^3].SequenceEqual(heatmaps.shape[..^3]) || !images.shape[^2..].SequenceEqual(heatmaps.shape[^2..]))
        {
            throw new ArgumentException(
                $"{nameof(Blend)} expects uint8 images [..., 1 or 3, H, W] and uint8 RGB heatmaps [..., 3, H, W] of the same size; got {TensorChecks.Describe(images)} and {TensorChecks.Describe(heatmaps)}.",
                nameof(heatmaps));
        }

        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The heatmap's opacity must lie in [0, 1].");
        }

        using var scope = NewDisposeScope();
        var a = (long)(alpha * 255); // numpy's astype(np.uint8) truncates
        var background = images.shape[^3] == 1 ? images.expand(heatmaps.shape) : images;
        using var scalars = new ScalarScope();
        var by256 = scalars.Of(256);
        // (heat·a + background·(255 − a))·128 + (0x80 << 7)
        var t = heatmaps.to(ScalarType.Int64).mul(scalars.Of(a)).Plus(background.to(ScalarType.Int64).mul(scalars.Of(255 - a)))
            .mul(scalars.Of(128)).Plus(scalars.Of(0x80 << 7));
        var divided = t.div(by256, rounding_mode: RoundingMode.floor).PlusInPlace(t).div_(by256, rounding_mode: RoundingMode.floor); // SHIFTFORDIV255
        return divided.div_(scalars.Of(128), rounding_mode: RoundingMode.floor).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Colours maps and composites them over images. Maps smaller than the images are resized first: 8-bit maps with
    /// Pillow's bilinear resize (as the official code resizes its slot maps), floating-point maps in <c>[0, 1]</c>
    /// bilinearly in floating point and then turned into <c>⌊255·v⌋</c>.
    /// </summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c>.</param>
    /// <param name="maps">Maps <c>[B, h, w]</c>: uint8, or floating point in <c>[0, 1]</c>.</param>
    /// <param name="colormap">Colours (default: matplotlib's jet, the official choice).</param>
    /// <param name="alpha">Opacity of the heatmap (default 0.4).</param>
    /// <returns>uint8 RGB overlays <c>[B, 3, H, W]</c>.</returns>
    public static Tensor Overlay(Tensor images, Tensor maps, Colormap? colormap = null, double alpha = OfficialAlpha)
    {
        TensorChecks.Rank(images, 4, nameof(Overlay), "uint8 images [B, 1 or 3, H, W]", nameof(images));
        TensorChecks.Rank(maps, 3, nameof(Overlay), "maps [B, h, w]", nameof(maps));
        if (maps.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"{nameof(Overlay)} expects one map per image ({images.shape[0]}); got {TensorChecks.Describe(maps)}.", nameof(maps));
        }

        using var scope = NewDisposeScope();
        var indices = ToImageSize(maps, images.shape[2], images.shape[3]);
        var heat = (colormap ?? Colormap.MatplotlibJet).Apply(indices);
        return Blend(images, heat, alpha).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 8-bit greyscale masks at the image size, as the official code saves them (<c>np.uint8(255 * mask)</c>).
    /// </summary>
    /// <param name="maps">Maps <c>[B, h, w]</c>: uint8, or floating point in <c>[0, 1]</c>.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <returns>uint8 masks <c>[B, 1, height, width]</c>.</returns>
    public static Tensor Grayscale(Tensor maps, long height, long width)
    {
        TensorChecks.Rank(maps, 3, nameof(Grayscale), "maps [B, h, w]", nameof(maps));
        using var scope = NewDisposeScope();
        return ToImageSize(maps, height, width).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Maps <c>[..., h, w]</c> as 8-bit indices at <c>height × width</c>, resized as <see cref="Overlay"/> describes.</summary>
    /// <param name="maps">uint8 or floating-point maps.</param>
    /// <param name="height">Target height.</param>
    /// <param name="width">Target width.</param>
    internal static Tensor ToImageSize(Tensor maps, long height, long width)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (maps.shape[^2] == height && maps.shape[^1] == width)
        {
            result = Colormap.ToIndex(maps);
        }
        else if (maps.dtype == ScalarType.Byte)
        {
            result = PilBilinear.Resize(maps, height, width);
        }
        else
        {
            var lead = maps.shape[..^2];
            var planes = maps.reshape(-1, 1, maps.shape[^2], maps.shape[^1]).to(ScalarType.Float32);
            var up = ExplanationMaps.Upsample(planes, height, width);
            result = Colormap.ToIndex(up).view(lead.Concat(new[] { height, width }).ToArray());
        }

        return result.MoveToOuterDisposeScope();
    }
}
