using Scouter.Core.Internal;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// An image as stored with every annotated object in it (<see cref="ImageDataset.ReadAnnotated"/>): each object's
/// class and box, and its pixel mask where the data set has masks. Disposing it frees the tensors.
/// </summary>
public sealed class AnnotatedImage : IDisposable
{
    /// <summary>Creates an annotated image; it owns the tensors from now on.</summary>
    /// <param name="image">uint8 <c>[C, H, W]</c>.</param>
    /// <param name="objects">The objects, in the order of the mask planes.</param>
    /// <param name="masks">bool <c>[K, H, W]</c>, one plane per object; null when the data set has no masks.</param>
    /// <exception cref="ArgumentException">The masks do not hold one <c>H × W</c> plane per object.</exception>
    public AnnotatedImage(Tensor image, IReadOnlyList<AnnotatedObject> objects, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(objects);
        TensorChecks.Rank(image, 3, nameof(AnnotatedImage), "an image [C, H, W]", nameof(image));
        if (masks is not null && (masks.dtype != ScalarType.Bool || !masks.shape.SequenceEqual(new[] { (long)objects.Count, image.shape[1], image.shape[2] })))
        {
            throw new ArgumentException($"{nameof(AnnotatedImage)} expects bool masks [K = {objects.Count} objects, H = {image.shape[1]}, W = {image.shape[2]}]; got {TensorChecks.Describe(masks)}.", nameof(masks));
        }

        Image = image;
        Objects = objects;
        Masks = masks;
    }

    /// <summary>uint8 <c>[C, H, W]</c>, as stored.</summary>
    public Tensor Image { get; }

    /// <summary>Class and box of every annotated object (boxes in the stored image's pixels).</summary>
    public IReadOnlyList<AnnotatedObject> Objects { get; }

    /// <summary>bool <c>[K, H, W]</c>: plane <c>k</c> is object <c>k</c>'s pixels; null when the data set has no masks.</summary>
    public Tensor? Masks { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Image.Dispose();
        Masks?.Dispose();
    }
}
