// The official training augmentation (docs/official-implementation.md §6, aug true): horizontal flip, vertical flip, affine, Gaussian blur,
// each applied with probability ½, in random order. Unlike TorchSharp's random transforms (one draw per call, so one
// decision per batch, some from an unseeded System.Random), every draw here comes from the sample's own
// SeededRandom, so each image gets its own decisions and a seed reproduces them exactly.
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Transforms;

/// <summary>Per-sample, seeded random augmentation of one image <c>[C, H, W]</c> (float, any value range).</summary>
/// <remarks>
/// The parts, in an order drawn per sample, each with probability ½:
/// <list type="bullet">
/// <item>horizontal flip;</item>
/// <item>vertical flip;</item>
/// <item>affine about the centre: scale x and y each ∈ U[0.8, 1.0], translation x ∈ U[0, 0.1]·W and
/// y ∈ U[−0.1, 0.1]·H, rotation an integer number of degrees in [−10, 10) (counter-clockwise positive);
/// nearest-neighbour sampling with zero fill, as torchvision's RandomAffine does on PIL images;</item>
/// <item>Gaussian blur with σ ∈ U[0, 3], kernel radius ⌈3σ⌉, reflect padding (σ below 0.1 leaves the image as is).</item>
/// </list>
/// </remarks>
internal static class Augmentation
{
    private delegate Tensor Part(Tensor image, SeededRandom random);

    private static readonly Part[] Parts = [HorizontalFlip, VerticalFlip, Affine, GaussianBlur];

    /// <summary>Augments one image; returns a new tensor (the input is not modified).</summary>
    /// <param name="image">A float image <c>[C, H, W]</c>.</param>
    /// <param name="random">The sample's generator; its draws decide everything.</param>
    public static Tensor Apply(Tensor image, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (image.dim() != 3 || !image.is_floating_point())
        {
            throw new ArgumentException($"Augmentation expects a float image [C, H, W]; got [{string.Join(", ", image.shape)}] {image.dtype}.", nameof(image));
        }

        using var scope = NewDisposeScope();
        var order = new[] { 0, 1, 2, 3 };
        random.Shuffle(order);
        var result = image.alias();
        foreach (var part in order)
        {
            if (random.Chance(0.5))
            {
                result = Parts[part](result, random);
            }
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Mirrors left–right.</summary>
    /// <param name="image">Image <c>[C, H, W]</c>.</param>
    /// <param name="random">Unused; keeps the parts' signature uniform.</param>
    public static Tensor HorizontalFlip(Tensor image, SeededRandom random) => image.flip(-1);

    /// <summary>Mirrors top–bottom.</summary>
    /// <param name="image">Image <c>[C, H, W]</c>.</param>
    /// <param name="random">Unused; keeps the parts' signature uniform.</param>
    public static Tensor VerticalFlip(Tensor image, SeededRandom random) => image.flip(-2);

    /// <summary>Random affine transform (see the class remarks for its ranges).</summary>
    /// <param name="image">Float image <c>[C, H, W]</c>.</param>
    /// <param name="random">Draws angle, translation and scales, in that order.</param>
    public static Tensor Affine(Tensor image, SeededRandom random)
    {
        var degrees = random.Next(-10, 10);
        var tx = random.Uniform(0, 0.1);
        var ty = random.Uniform(-0.1, 0.1);
        var sx = random.Uniform(0.8, 1.0);
        var sy = random.Uniform(0.8, 1.0);
        return Affine(image, degrees, tx, ty, sx, sy);
    }

    /// <summary>Affine transform about the image centre with explicit parameters.</summary>
    /// <param name="image">Float image <c>[C, H, W]</c>.</param>
    /// <param name="degrees">Rotation, counter-clockwise on screen.</param>
    /// <param name="translateX">Shift right, as a fraction of the width.</param>
    /// <param name="translateY">Shift down, as a fraction of the height.</param>
    /// <param name="scaleX">Horizontal scale.</param>
    /// <param name="scaleY">Vertical scale.</param>
    public static Tensor Affine(Tensor image, double degrees, double translateX, double translateY, double scaleX, double scaleY)
    {
        double height = image.shape[1], width = image.shape[2];
        var angle = -degrees * Math.PI / 180.0; // y points down: a counter-clockwise turn on screen is a negative angle
        double cos = Math.Cos(angle), sin = Math.Sin(angle);

        // Forward map on pixel offsets from the centre: out = M·in + t, M = R·S. grid_sample needs the inverse
        // in normalised coordinates n = offset / (size / 2): in_n = D⁻¹ M⁻¹ D out_n − D⁻¹ M⁻¹ t.
        double m00 = cos * scaleX, m01 = -sin * scaleY, m10 = sin * scaleX, m11 = cos * scaleY;
        var det = (m00 * m11) - (m01 * m10);
        double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
        double hx = width / 2, hy = height / 2, tx = translateX * width, ty = translateY * height;
        var theta = new float[]
        {
            (float)i00, (float)(i01 * hy / hx), (float)(-((i00 * tx) + (i01 * ty)) / hx),
            (float)(i10 * hx / hy), (float)i11, (float)(-((i10 * tx) + (i11 * ty)) / hy),
        };

        using var scope = NewDisposeScope();
        var matrix = tensor(theta, [1, 2, 3], image.dtype, image.device);
        var grid = nn.functional.affine_grid(matrix, [1, image.shape[0], image.shape[1], image.shape[2]], align_corners: false);
        var warped = nn.functional.grid_sample(image.unsqueeze(0), grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        return warped.squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Gaussian blur with σ ∈ U[0, 3].</summary>
    /// <param name="image">Float image <c>[C, H, W]</c>.</param>
    /// <param name="random">Draws σ.</param>
    public static Tensor GaussianBlur(Tensor image, SeededRandom random) => GaussianBlur(image, random.Uniform(0, 3));

    /// <summary>Separable Gaussian blur with standard deviation <paramref name="sigma"/> pixels.</summary>
    /// <param name="image">Float image <c>[C, H, W]</c>.</param>
    /// <param name="sigma">Standard deviation; below 0.1 the image is returned unchanged (a copy).</param>
    public static Tensor GaussianBlur(Tensor image, double sigma)
    {
        // Not Explanations.GaussianBlur: the official augmentation reflects at the border (torchvision's
        // GaussianBlur), the explanation baselines replicate, and only the latter must be differentiable on every CPU.
        if (sigma < 0.1)
        {
            return image.clone();
        }

        var limit = (int)Math.Min(image.shape[1], image.shape[2]) - 1; // reflect padding needs pad < size
        var radius = Math.Min((int)Math.Ceiling(3 * sigma), limit);
        if (radius < 1)
        {
            return image.clone();
        }

        var weights = Enumerable.Range(-radius, (2 * radius) + 1).Select(i => Math.Exp(-(i * i) / (2 * sigma * sigma))).ToArray();
        var total = weights.Sum();
        var kernel1d = weights.Select(w => (float)(w / total)).ToArray();

        using var scope = NewDisposeScope();
        var channels = image.shape[0];
        var size = (2 * radius) + 1;
        var k = tensor(kernel1d, image.dtype, image.device);
        var horizontal = k.view(1, 1, 1, size).expand(channels, 1, 1, size);
        var vertical = k.view(1, 1, size, 1).expand(channels, 1, size, 1);
        var padded = nn.functional.pad(image.unsqueeze(0), [radius, radius, radius, radius], PaddingModes.Reflect);
        var blurred = nn.functional.conv2d(nn.functional.conv2d(padded, horizontal, groups: channels), vertical, groups: channels);
        return blurred.squeeze(0).MoveToOuterDisposeScope();
    }
}
