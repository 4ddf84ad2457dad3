// Pillow's Image.resize(size, Image.BILINEAR) for 8-bit images, bit for bit (libImaging/Resample.c: precompute_coeffs
// with the triangle filter, support scaled when downsampling, normalize_coeffs_8bpc with 22 fractional bits, a
// horizontal pass rounded to 8 bits, then a vertical pass). The official SCOUTER visualisation resizes its 8-bit slot
// maps to the image size this way before colouring them.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Resizes 8-bit images exactly as Pillow's bilinear <c>Image.resize</c> does (including its antialiasing when
/// shrinking and its rounding between the two passes), so overlays reproduce the official visualisation's bytes.
/// </summary>
internal static class PilBilinear
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes every <c>[h, w]</c> plane of a uint8 tensor.</summary>
    /// <param name="images">uint8 tensor <c>[..., h, w]</c> (rank ≥ 2).</param>
    /// <param name="height">Output height (≥ 1).</param>
    /// <param name="width">Output width (≥ 1).</param>
    /// <returns>uint8 tensor <c>[..., height, width]</c>.</returns>
    public static Tensor Resize(Tensor images, long height, long width)
    {
        TensorChecks.NotNull(images, nameof(images));
        if (images.dim() < 2 || images.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"{nameof(PilBilinear)} expects a uint8 tensor [..., h, w]; got {TensorChecks.Describe(images)}.", nameof(images));
        }

        if (height < 1 || width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"{nameof(PilBilinear)} needs an output of at least 1×1; got {height}×{width}.");
        }

        using var scope = NewDisposeScope();
        long h = images.shape[^2], w = images.shape[^1];
        var planes = images.reshape(-1, h, w).to(ScalarType.Float64);
        if (width != w)
        {
            var kx = Coefficients(w, width, images.device); // [width, w]
            planes = Round(planes.matmul(kx.t()));
        }

        if (height != h)
        {
            var ky = Coefficients(h, height, images.device); // [height, h]
            planes = Round(ky.matmul(planes));
        }

        var shape = images.shape[..^2].Concat(new[] { height, width }).ToArray();
        return planes.to(ScalarType.Byte).view(shape).MoveToOuterDisposeScope();
    }

    // Sums are exact integers in float64 (at most 255 · 2^22 · taps), so adding the half unit, dividing by the power of
    // two and flooring reproduces Pillow's integer shift exactly.
    private static Tensor Round(Tensor sums)
    {
        using var scalars = new ScalarScope();
        return sums.Plus(scalars.Of(1L << (PrecisionBits - 1))).div_(scalars.Of(1L << PrecisionBits)).floor_().clamp_(scalars.Of(0), scalars.Of(255));
    }

    private static Tensor Coefficients(long inSize, long outSize, Device device)
    {
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = 1.0 * filterScale;
        var k = new double[outSize * inSize];
        var weights = new double[inSize];
        for (long xx = 0; xx < outSize; xx++)
        {
            var center = (xx + 0.5) * scale;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((long)(center - support + 0.5), 0);
            var xmax = Math.Min((long)(center + support + 0.5), inSize) - xmin;
            var total = 0.0;
            for (long x = 0; x < xmax; x++)
            {
                var t = Math.Abs((x + xmin - center + 0.5) * ss);
                weights[x] = t < 1 ? 1 - t : 0;
                total += weights[x];
            }

            for (long x = 0; x < xmax; x++)
            {
                var w = total != 0 ? weights[x] / total : weights[x];
                k[xx * inSize + xmin + x] = w < 0 ? (long)(-0.5 + w * (1 << PrecisionBits)) : (long)(0.5 + w * (1 << PrecisionBits));
            }
        }

        return tensor(k, [outSize, inSize], ScalarType.Float64, device: device);
    }
}
