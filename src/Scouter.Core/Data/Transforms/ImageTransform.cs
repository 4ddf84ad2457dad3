// The official per-image pipeline (docs/official-implementation.md §6): resize to img_size × img_size (PIL bilinear, no crop) → optional
// augmentation → scale to [0, 1] → per-data-set normalisation.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Transforms;

/// <summary>
/// Turns one stored image (uint8 <c>[C, H, W]</c>, any size) into the model's input (float32
/// <c>[C, S, S]</c>, normalised), as the official training and validation transforms do.
/// </summary>
/// <remarks>
/// Resizing is bilinear with antialiasing (<c>interpolate(…, antialias: true)</c>), which reproduces PIL's
/// <c>Image.resize(BILINEAR)</c>; the result is rounded to whole intensity levels as PIL's uint8 output is. A
/// committed fixture computed with PIL checks it to within one level. Augmentation (training only) follows
/// <see cref="Augmentation"/>; its randomness comes from the <see cref="SeededRandom"/> the caller passes per sample.
/// </remarks>
public sealed class ImageTransform
{
    private ImageTransform(int imageSize, Normalization normalization, bool augment)
    {
        ImageSize = imageSize;
        Normalization = normalization;
        Augment = augment;
    }

    /// <summary>Side <c>S</c> of the square output.</summary>
    public int ImageSize { get; }

    /// <summary>The normalisation applied last.</summary>
    public Normalization Normalization { get; }

    /// <summary>Whether the random augmentation is applied (training with <c>aug</c> on).</summary>
    public bool Augment { get; }

    /// <summary>Creates a transform.</summary>
    /// <param name="imageSize">Output side <c>S</c> (the official <c>img_size</c>), at least 1.</param>
    /// <param name="normalization">The data set's normalisation (its <c>ImageDataset.Normalization</c>).</param>
    /// <param name="augment">Apply the random augmentation.</param>
    public static ImageTransform Create(int imageSize, Normalization normalization, bool augment = false)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        if (imageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "img_size must be at least 1 pixel.");
        }

        return new ImageTransform(imageSize, normalization, augment);
    }

    /// <summary>Transforms one image without augmentation (a transform with <see cref="Augment"/> on is applied by the <c>BatchLoader</c>, which seeds each sample).</summary>
    /// <param name="image">uint8 <c>[C, H, W]</c> with C equal to the normalisation's channel count.</param>
    /// <returns>float32 <c>[C, S, S]</c>; the caller owns it.</returns>
    public Tensor Apply(Tensor image) => Apply(image, random: null);

    // The sample's generator is required when Augment is on, ignored otherwise.
    internal Tensor Apply(Tensor image, SeededRandom? random)
    {
        TensorChecks.Rank(image, 3, nameof(ImageTransform), "a stored image [C, H, W]", nameof(image));
        if (image.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"{nameof(ImageTransform)} expects a uint8 image as decoded from disk; got {TensorChecks.Describe(image)}.", nameof(image));
        }

        if (image.shape[0] != Normalization.Mean.Count)
        {
            throw new ArgumentException($"{nameof(ImageTransform)} normalises {Normalization.Mean.Count} channel(s); got {TensorChecks.Describe(image)}.", nameof(image));
        }

        if (Augment && random is null)
        {
            throw new ArgumentNullException(nameof(random), "An augmenting transform needs the sample's SeededRandom.");
        }

        // Loader threads run this for every image: its scalars are owned and freed here rather than left to the
        // finalizer (TorchSharp 0.107 can finalise an implicit Scalar while a native call still reads it).
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var resized = Resize(image, ImageSize, ImageSize);
        if (Augment)
        {
            resized = Augmentation.Apply(resized, random!);
        }

        return Normalization.Apply(resized.div_(scalars.Of(255f))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Maps object masks of an original image to the <c>S×S</c> output (without augmentation): bilinear with
    /// antialiasing, a pixel belonging to an object when at least half of it does.
    /// </summary>
    /// <param name="masks">bool <c>[K, H, W]</c>, one plane per object.</param>
    /// <returns>bool <c>[K, S, S]</c>; the caller owns it.</returns>
    public Tensor MapMasks(Tensor masks)
    {
        TensorChecks.Rank(masks, 3, nameof(MapMasks), "object masks [K, H, W]", nameof(masks));
        if (masks.shape[0] == 0 || (masks.shape[1] == ImageSize && masks.shape[2] == ImageSize))
        {
            return masks.shape[0] == 0 ? zeros([0, ImageSize, ImageSize], ScalarType.Bool) : masks.to(ScalarType.Bool).clone();
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var resized = nn.functional.interpolate(masks.to(ScalarType.Float32).unsqueeze(0), [ImageSize, ImageSize], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return resized.squeeze(0).ge(scalars.Of(0.5f)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Resizes a uint8 image <c>[C, H, W]</c> as PIL's <c>resize((width, height), BILINEAR)</c>: antialiased bilinear,
    /// rounded to whole levels. Returns float32 values in [0, 255].
    /// </summary>
    /// <param name="image">uint8 image <c>[C, H, W]</c>.</param>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    public static Tensor Resize(Tensor image, int height, int width)
    {
        // LibTorch's antialiased bilinear is within one level of PIL and runs on every image of every epoch;
        // Explanations.Rendering.PilBilinear is PIL bit for bit but slower, for the official overlays' exact bytes.
        TensorChecks.Rank(image, 3, nameof(Resize), "an image [C, H, W]", nameof(image));
        using var scope = NewDisposeScope();
        var input = image.to(ScalarType.Float32);
        if (image.shape[1] == height && image.shape[2] == width)
        {
            return input.MoveToOuterDisposeScope();
        }

        using var scalars = new ScalarScope();
        var resized = nn.functional.interpolate(input.unsqueeze(0), [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return resized.squeeze(0).round_().clamp_(scalars.Of(0), scalars.Of(255)).MoveToOuterDisposeScope();
    }
}
