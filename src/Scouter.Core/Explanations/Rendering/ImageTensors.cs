using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>Conversions between model inputs and displayable 8-bit images.</summary>
public static class ImageTensors
{
    /// <summary>ImageNet normalisation mean (the official code's for every data set but MNIST).</summary>
    public static readonly IReadOnlyList<double> ImageNetMean = [0.485, 0.456, 0.406];

    /// <summary>ImageNet normalisation standard deviation.</summary>
    public static readonly IReadOnlyList<double> ImageNetStd = [0.229, 0.224, 0.225];

    /// <summary>
    /// Turns model inputs back into 8-bit images: <c>x·std + mean</c> per channel (when given), clamped to <c>[0, 1]</c>,
    /// times 255 and truncated, as the official code's <c>(image * 255).astype(np.uint8)</c>.
    /// </summary>
    /// <param name="images">Images <c>[B, C, H, W]</c> in <c>[0, 1]</c> or normalised; uint8 images are returned unchanged (a copy).</param>
    /// <param name="mean">Per-channel mean of the normalisation, or null if the images are not normalised.</param>
    /// <param name="std">Per-channel standard deviation of the normalisation.</param>
    /// <returns>uint8 images <c>[B, C, H, W]</c>.</returns>
    public static Tensor ToUInt8(Tensor images, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
    {
        TensorChecks.Rank(images, 4, nameof(ImageTensors), "images [B, C, H, W]", nameof(images));
        if (images.dtype == ScalarType.Byte)
        {
            return images.clone();
        }

        TensorChecks.FloatingPoint(images, nameof(ImageTensors), nameof(images));
        if ((mean is null) != (std is null))
        {
            throw new ArgumentException("Give both the normalisation mean and standard deviation, or neither.", nameof(std));
        }

        using var scope = NewDisposeScope();
        var x = images.to(ScalarType.Float32);
        if (mean is not null && std is not null)
        {
            var channels = images.shape[1];
            if (mean.Count != channels || std.Count != channels)
            {
                throw new ArgumentException($"The normalisation has {mean.Count} means and {std.Count} standard deviations for images with {channels} channels.", nameof(mean));
            }

            var m = tensor(mean.Select(v => (float)v).ToArray(), device: images.device).view(1, -1, 1, 1);
            var s = tensor(std.Select(v => (float)v).ToArray(), device: images.device).view(1, -1, 1, 1);
            x = (x * s).Plus(m);
        }

        return UnitToBytes(x).MoveToOuterDisposeScope();
    }

    // Values in [0, 1] (clamped) to uint8, truncating like numpy's astype(np.uint8) after ·255.
    internal static Tensor UnitToBytes(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        return x.to(ScalarType.Float32).clamp(scalars.Of(0), ScalarScope.One).mul_(scalars.Of(255f)).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>Makes 8-bit images RGB: one channel is repeated three times (as Pillow's <c>convert('RGB')</c>), three are kept.</summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c>.</param>
    /// <returns>uint8 images <c>[B, 3, H, W]</c>.</returns>
    public static Tensor ToRgb(Tensor images)
    {
        TensorChecks.Rank(images, 4, nameof(ImageTensors), "uint8 images [B, 1 or 3, H, W]", nameof(images));
        if (images.dtype != ScalarType.Byte || (images.shape[1] != 1 && images.shape[1] != 3))
        {
            throw new ArgumentException($"{nameof(ImageTensors)} expects uint8 images [B, 1 or 3, H, W]; got {TensorChecks.Describe(images)}. Convert with ToUInt8 first.", nameof(images));
        }

        return images.shape[1] == 3 ? images.alias() : images.expand(-1, 3, -1, -1).contiguous();
    }

    /// <summary>
    /// Greyscale as Pillow's <c>convert('L')</c>: <c>(19595·R + 38470·G + 7471·B + 2¹⁵) ≫ 16</c> (ITU-R 601 luma).
    /// </summary>
    /// <param name="images">uint8 RGB images <c>[..., 3, H, W]</c>.</param>
    /// <returns>uint8 images <c>[..., 1, H, W]</c>.</returns>
    internal static Tensor ToGray(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var weights = tensor(new long[] { 19595, 38470, 7471 }, device: images.device).view(3, 1, 1);
        var luma = images.to(ScalarType.Int64).mul(weights).sum([-3L], keepdim: true).add(scalars.Of(1L << 15), ScalarScope.One);
        return luma.div(scalars.Of(1L << 16), rounding_mode: RoundingMode.floor).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>Images <c>[..., H, W]</c> enlarged <paramref name="factor"/> times by pixel replication (nearest neighbour).</summary>
    internal static Tensor Enlarge(Tensor images, int factor)
    {
        if (factor == 1)
        {
            return images.alias();
        }

        using var scope = NewDisposeScope();
        return images.repeat_interleave(factor, -2).repeat_interleave(factor, -1).MoveToOuterDisposeScope();
    }
}
