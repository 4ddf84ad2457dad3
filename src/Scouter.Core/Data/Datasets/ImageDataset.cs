using Scouter.Core.Data.Transforms;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// One split of a labelled image data set: random access to each image as it is stored (uint8 <c>[C, H, W]</c>,
/// original size), its label, and its ground-truth boxes where the data set has them. It knows nothing about
/// resizing, augmentation or batching: an <see cref="ImageTransform"/> and a
/// <see cref="Loading.BatchLoader"/> do that.
/// </summary>
/// <remarks>Implementations are thread-safe for reading: the loader calls <see cref="ReadImage"/> from several threads.</remarks>
public abstract class ImageDataset
{
    /// <summary>The data set's name (e.g. <c>MNIST</c>, <c>CUB200</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Which split this is.</summary>
    public abstract DatasetSplit Split { get; }

    /// <summary>Class names, indexed by label.</summary>
    public abstract IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    public abstract int Count { get; }

    /// <summary>Channels of every image: 1 (IDX) or 3.</summary>
    public abstract int Channels { get; }

    /// <summary>The per-channel normalisation the official code uses for this data set.</summary>
    public virtual Normalization Normalization => Channels == 1 ? Normalization.Mnist : Normalization.ImageNet;

    /// <summary>The official training transform of this data set: resize, optional augmentation, its normalisation.</summary>
    /// <param name="imageSize">Output side (the official <c>img_size</c>).</param>
    /// <param name="augment">The official <c>aug</c> flag.</param>
    public ImageTransform TrainingTransform(int imageSize, bool augment) => ImageTransform.Create(imageSize, Normalization, augment);

    /// <summary>The official validation transform of this data set (never augmented): resize and its normalisation.</summary>
    /// <param name="imageSize">Output side (the official <c>img_size</c>).</param>
    public ImageTransform EvaluationTransform(int imageSize) => ImageTransform.Create(imageSize, Normalization, augment: false);

    /// <summary>Number of classes, <c>ClassNames.Count</c>.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>The label (class index) of image <paramref name="index"/>.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public abstract int GetLabel(int index);

    /// <summary>Ground-truth boxes of image <paramref name="index"/> in its original pixel coordinates; empty when the data set has none.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public virtual IReadOnlyList<BoundingBox> GetBoxes(int index)
    {
        CheckIndex(index);
        return [];
    }

    /// <summary>Reads image <paramref name="index"/> as stored: uint8 <c>[Channels, H, W]</c>. The caller owns the tensor.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <exception cref="Imaging.CorruptImageException">The image file cannot be decoded.</exception>
    public abstract Tensor ReadImage(int index);

    /// <summary>Reads image <paramref name="index"/> and its boxes together (one render for generated data sets).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <returns>The image as <see cref="ReadImage"/> returns it (the caller owns it) and its boxes in original pixels.</returns>
    public virtual (Tensor Image, IReadOnlyList<BoundingBox> Boxes) ReadWithBoxes(int index) => (ReadImage(index), GetBoxes(index));

    /// <summary>
    /// Reads image <paramref name="index"/> with every annotated object in it: class, box and, where the data set has
    /// them, pixel masks. By default every box of <see cref="ReadWithBoxes"/> is an object of the image's label and
    /// there are no masks; data sets whose images hold objects of several classes (<see cref="SyntheticScenesDataset"/>)
    /// say which is which.
    /// </summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <returns>The image and its objects; the caller disposes it.</returns>
    public virtual AnnotatedImage ReadAnnotated(int index)
    {
        var (image, boxes) = ReadWithBoxes(index);
        var label = GetLabel(index);
        return new AnnotatedImage(image, boxes.Select(b => new AnnotatedObject(label, b)).ToArray());
    }

    /// <summary>Whether the images have labels. False for a plain folder of images (<see cref="ImageDirectory"/>), whose <see cref="GetLabel"/> returns <see cref="NoLabel"/>.</summary>
    public virtual bool HasLabels => true;

    /// <summary>The label of an image whose class is unknown.</summary>
    public const int NoLabel = -1;

    /// <summary>
    /// A short identifier of image <paramref name="index"/>, unique within this data set and the same in every run over
    /// the same data: <c>{split}/{index}</c> (e.g. <c>val/17</c>) by default, the relative path for a folder of images.
    /// Bulk explanation keys its output lines by it.
    /// </summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public virtual string ImageId(int index)
    {
        CheckIndex(index);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Split.ToString().ToLowerInvariant()}/{index}");
    }

    /// <summary>Where image <paramref name="index"/> comes from (a path, or a description), for messages.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public virtual string Describe(int index)
    {
        CheckIndex(index);
        return $"{Name} {Split} image #{index}";
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="index"/> &lt; <see cref="Count"/>.</summary>
    /// <param name="index">The index to check.</param>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} {Split} has {Count} images; index must be in [0, {Count}).");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Split}: {Count} images, {NumClasses} classes, {Channels} channel(s)";
}
