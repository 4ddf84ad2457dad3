using Scouter.Core.Data.Imaging;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Transforms;

/// <summary>
/// Turns an image file or an image tensor into a model's input batch, as the official validation transform does: the
/// channels the stem takes (colour to luma as PIL's <c>convert("L")</c>, grey repeated as <c>convert("RGB")</c>), a
/// resize to the trained size (PIL's bilinear, see <see cref="ImageTransform"/>), scaling to [0, 1] and normalisation.
/// </summary>
/// <example>
/// <code>
/// var preprocessor = ImagePreprocessor.Create(64, Normalization.Mnist);
/// using var input = preprocessor.Load("seven.png");   // [1, 1, 64, 64]
/// </code>
/// </example>
public sealed class ImagePreprocessor
{
    private ImagePreprocessor(ImageTransform transform)
    {
        Transform = transform;
    }

    /// <summary>The per-image transform (never augmenting).</summary>
    public ImageTransform Transform { get; }

    /// <summary>Side <c>S</c> of the square model input.</summary>
    public int ImageSize => Transform.ImageSize;

    /// <summary>Image channels of the model input.</summary>
    public int Channels => Transform.Normalization.Mean.Count;

    /// <summary>Creates a preprocessor.</summary>
    /// <param name="imageSize">Side of the model input (the official <c>img_size</c>).</param>
    /// <param name="normalization">The normalisation; its channel count is the model input's.</param>
    public static ImagePreprocessor Create(int imageSize, Normalization normalization) =>
        new(ImageTransform.Create(imageSize, normalization));

    /// <summary>Wraps a transform.</summary>
    /// <param name="transform">A validation transform.</param>
    /// <exception cref="ArgumentException">The transform augments (a model input must not be random).</exception>
    public static ImagePreprocessor For(ImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return transform.Augment
            ? throw new ArgumentException("An augmenting transform prepares training images, not a model's input; use the data set's EvaluationTransform or ImageTransform.Create without augment.", nameof(transform))
            : new ImagePreprocessor(transform);
    }

    /// <summary>Reads a JPEG or PNG file and returns the model input.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>float32 <c>[1, C, S, S]</c>; the caller owns it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorruptImageException">The file is not a readable image.</exception>
    public Tensor Load(string path)
    {
        using var scope = NewDisposeScope();
        var image = ImageDecoder.Read(path, rgb: Channels == 3);
        return Transform.Apply(image).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the model input for decoded images.</summary>
    /// <param name="images">uint8 <c>[C, H, W]</c> or <c>[B, C, H, W]</c>, as decoded from files, with 1 or 3 channels.</param>
    /// <returns>float32 <c>[B, C, S, S]</c> (<c>B</c> = 1 for a single image) on the images' device; the caller owns it.</returns>
    /// <exception cref="ArgumentException">The images are not uint8, not rank 3 or 4, or have neither 1 nor 3 channels.</exception>
    public Tensor Apply(Tensor images)
    {
        TensorChecks.NotNull(images, nameof(images));
        if (images.dim() is not (3 or 4) || images.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"{nameof(ImagePreprocessor)} expects uint8 images [C, H, W] or [B, C, H, W] as decoded from files (0–255); got {TensorChecks.Describe(images)}.", nameof(images));
        }

        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        var channels = batch.shape[1];
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"{nameof(ImagePreprocessor)} takes grey (1 channel) or RGB (3 channel) images; got {TensorChecks.Describe(images)}. Drop an alpha channel first.", nameof(images));
        }

        var inputs = Enumerable.Range(0, (int)batch.shape[0]).Select(i => Transform.Apply(ToChannels(batch[i]))).ToArray();
        return stack(inputs).MoveToOuterDisposeScope();
    }

    private Tensor ToChannels(Tensor image) => (image.shape[0], Channels) switch
    {
        (3, 1) => ImageDecoder.ToLuma(image),
        (1, 3) => image.expand(3, -1, -1),
        _ => image,
    };
}
