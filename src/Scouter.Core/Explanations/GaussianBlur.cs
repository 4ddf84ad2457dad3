using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// Separable Gaussian blur of image batches, the "blurred image" baseline of the insertion metric (RISE), Extremal
/// Perturbation and I-GOS, and the smoothing of IBA's mask.
/// </summary>
/// <remarks>
/// <para>
/// Borders are padded by replication, which is defined for any image size (reflection, as IBA uses, needs images
/// larger than half the kernel; RISE pads with zeros, which darkens the border).
/// </para>
/// <para>
/// The blur is two matrix products, <c>Kₕ · X · K_wᵀ</c> per image plane, with banded matrices that hold the
/// Gaussian weights and fold the replicated border into their first and last columns. It equals the padded
/// separable convolution up to float rounding, and its gradient is that of a matrix product: LibTorch 2.10's
/// oneDNN convolution computes wrong input gradients for single-channel convolutions on some CPUs
/// (docs/testing.md, "Known LibTorch issues"), and IBA differentiates through this blur. The products are also
/// faster than single-channel convolutions on the CPU; their cost grows with the image side rather than the
/// kernel width.
/// </para>
/// </remarks>
public static class GaussianBlur
{
    /// <summary>Blurs every channel of every image with a Gaussian of standard deviation <paramref name="sigma"/>.</summary>
    /// <param name="images">Images <c>[B, C, H, W]</c>, floating point.</param>
    /// <param name="sigma">Standard deviation in pixels (&gt; 0).</param>
    /// <param name="kernelSize">Odd kernel width; null gives <c>2·⌈3σ⌉ + 1</c>.</param>
    /// <returns>Blurred images, same shape and dtype.</returns>
    public static Tensor Apply(Tensor images, double sigma, int? kernelSize = null)
    {
        TensorChecks.Rank(images, 4, nameof(GaussianBlur), "images [B, C, H, W]", nameof(images));
        TensorChecks.FloatingPoint(images, nameof(GaussianBlur), nameof(images));
        if (!(sigma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The blur's standard deviation must be positive.");
        }

        var size = kernelSize ?? (2 * (int)Math.Ceiling(3 * sigma) + 1);
        if (size < 1 || size % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), size, "The blur kernel size must be odd and positive.");
        }

        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        using var scalars = new ScalarScope();
        var offsets = scalars.Range(size, ScalarType.Float64, images.device).sub(scalars.Of((size - 1) / 2.0));
        var kernel = (-(offsets * offsets)).div(scalars.Of(2 * sigma * sigma)).exp();
        kernel = kernel / kernel.sum();
        var alongH = Banded(kernel, h, scalars).to(images.dtype).t();
        var alongW = Banded(kernel, w, scalars).to(images.dtype).t();

        // Along H on the transposed planes, then along W; each is one matrix product over all planes.
        var columns = images.reshape(b * c, h, w).transpose(1, 2).reshape(b * c * w, h).matmul(alongH);
        var both = columns.view(b * c, w, h).transpose(1, 2).reshape(b * c * h, w).matmul(alongW);
        return both.view(b, c, h, w).MoveToOuterDisposeScope();
    }

    // M [n, n] with (M·x)ᵢ = Σₒ kernel[o] · x[clamp(i + o − r, 0, n − 1)], r = half the kernel: the convolution of x,
    // padded by replication, with the (symmetric) kernel.
    private static Tensor Banded(Tensor kernel, long n, ScalarScope scalars)
    {
        var size = kernel.shape[0];
        var rows = scalars.Range(n, device: kernel.device).unsqueeze(1);
        var taps = scalars.Range(size, device: kernel.device).sub(scalars.Of(size / 2)).unsqueeze(0);
        var columns = rows.Plus(taps).clamp(scalars.Of(0L), scalars.Of(n - 1));
        return zeros(n, n, dtype: kernel.dtype, device: kernel.device).scatter_add_(1, columns, kernel.expand(n, size));
    }
}
