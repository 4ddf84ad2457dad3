using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// A block of rendered synthetic images with their ground truth: a mask, a box and a class for every shape, the
/// labelled shape first. Disposing it frees the tensors.
/// </summary>
public sealed class SyntheticImages : IDisposable
{
    internal SyntheticImages(Tensor images, Tensor shapeMasks, int[] labels, int[][] shapeClasses, BoundingBox[][] shapeBoxes)
    {
        Images = images;
        ShapeMasks = shapeMasks;
        Masks = shapeMasks.select(1, 0);
        Labels = labels;
        ShapeClasses = shapeClasses;
        ShapeBoxes = shapeBoxes;
        Boxes = shapeBoxes.Select(b => b.Length > 0 ? b[0] : default).ToArray();
    }

    /// <summary>uint8 <c>[N, 3, S, S]</c>.</summary>
    public Tensor Images { get; }

    /// <summary>bool <c>[N, S, S]</c>: true on the pixels of the labelled shape (empty when shapes are not drawn).</summary>
    public Tensor Masks { get; }

    /// <summary>Class index of each image.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Tight box of each labelled shape's mask, <c>X2</c>/<c>Y2</c> exclusive (one past the last shape pixel).</summary>
    public IReadOnlyList<BoundingBox> Boxes { get; }

    /// <summary>
    /// bool <c>[N, K, S, S]</c>: plane <c>k</c> of image <c>i</c> is the mask of its shape <c>k</c> (the labelled one
    /// first); planes past an image's shape count are empty. <c>K</c> is the most shapes an image of the data set holds.
    /// </summary>
    public Tensor ShapeMasks { get; }

    /// <summary>The class of each image's shapes, the labelled one first (empty when shapes are not drawn).</summary>
    public IReadOnlyList<IReadOnlyList<int>> ShapeClasses { get; }

    /// <summary>The tight box of each image's shape masks, in the order of <see cref="ShapeClasses"/>.</summary>
    public IReadOnlyList<IReadOnlyList<BoundingBox>> ShapeBoxes { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
        ShapeMasks.Dispose();
    }
}
