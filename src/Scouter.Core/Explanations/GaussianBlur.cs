using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// Separable Gaussian blur of image batches, the "blurred image" baseline of the insertion metric (RISE), Extremal
/// Perturbation and I-GOS, and the smoothing of IBA's mask.
/// </summary>
/// <remarks>
/// Borders are padded by replication, which is defined for any image size (reflection, as IBA uses, needs images
/// larger than half the kernel; RISE pads with zeros, which darkens the border).
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
        kernel = (kernel / kernel.sum()).to(images.dtype);

        var pad = size / 2;
        var planes = images.reshape(b * c, 1, h, w);
        var padded = nn.functional.pad(planes, [pad, pad, pad, pad], PaddingModes.Replicate);
        var rows = nn.functional.conv2d(padded, kernel.view(1, 1, 1, size));
        var both = nn.functional.conv2d(rows, kernel.view(1, 1, size, 1));
        return both.view(b, c, h, w).MoveToOuterDisposeScope();
    }
}
