using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Ground truth per class, for the class-specific metrics of <see cref="ExplanationEvaluator"/>: one row per
/// (image, class) pair of a batch, with the pixels of that class's objects in that image. "Where is the evidence for
/// class c" is then scored for every class present in an image, not only for the explained one.
/// </summary>
/// <remarks>
/// Disposing it disposes its three tensors. The factories' tensors belong to no dispose scope (as a loader's batches),
/// so the regions can be built in a scope and outlive it: dispose them when done.
/// </remarks>
public sealed class ClassRegions : IDisposable
{
    /// <summary>Creates the regions from pairs; they must be distinct (merge several objects of one class into one mask).</summary>
    /// <param name="imageIndices">int64 <c>[P]</c>: the image of the batch each pair belongs to.</param>
    /// <param name="classes">int64 <c>[P]</c>: the class of each pair.</param>
    /// <param name="masks">bool <c>[P, H, W]</c>: the class's pixels in the image, at the model input's size.</param>
    /// <exception cref="ArgumentException">A shape or type is not as described, an index is negative, or a pair repeats.</exception>
    public ClassRegions(Tensor imageIndices, Tensor classes, Tensor masks)
    {
        TensorChecks.Rank(imageIndices, 1, nameof(ClassRegions), "image indices [P], int64", nameof(imageIndices));
        TensorChecks.Rank(classes, 1, nameof(ClassRegions), "classes [P], int64", nameof(classes));
        TensorChecks.Rank(masks, 3, nameof(ClassRegions), "masks [P, H, W], bool", nameof(masks));
        var count = imageIndices.shape[0];
        if (imageIndices.dtype != ScalarType.Int64 || classes.dtype != ScalarType.Int64 || masks.dtype != ScalarType.Bool
            || classes.shape[0] != count || masks.shape[0] != count)
        {
            throw new ArgumentException(
                $"{nameof(ClassRegions)} expects image indices [P] int64, classes [P] int64 and masks [P, H, W] bool with one P; got " +
                $"{TensorChecks.Describe(imageIndices)}, {TensorChecks.Describe(classes)} and {TensorChecks.Describe(masks)}.", nameof(masks));
        }

        if (count > 0)
        {
            using var scope = NewDisposeScope();
            using var scalars = new ScalarScope();
            if (imageIndices.min().item<long>() < 0 || classes.min().item<long>() < 0)
            {
                throw new ArgumentException($"{nameof(ClassRegions)}: image indices and classes must be ≥ 0.", nameof(imageIndices));
            }

            var keys = imageIndices.mul(scalars.Of(classes.max().item<long>() + 1)).Plus(classes);
            var (distinct, _, _) = keys.unique();
            if (distinct.shape[0] != count)
            {
                throw new ArgumentException($"{nameof(ClassRegions)} holds each (image, class) pair once; {count - distinct.shape[0]} of {count} pairs repeat. Merge the objects of one class into one mask (FromObjects does).", nameof(classes));
            }
        }

        ImageIndices = imageIndices;
        Classes = classes;
        Masks = masks;
    }

    /// <summary>int64 <c>[P]</c>: the image of each pair.</summary>
    public Tensor ImageIndices { get; }

    /// <summary>int64 <c>[P]</c>: the class of each pair.</summary>
    public Tensor Classes { get; }

    /// <summary>bool <c>[P, H, W]</c>: the pixels of each pair's class in its image.</summary>
    public Tensor Masks { get; }

    /// <summary>Number of (image, class) pairs <c>P</c>.</summary>
    public long Count => ImageIndices.shape[0];

    /// <summary>
    /// The regions of a batch's objects: each class present in an image gets the union of the masks of its objects
    /// there. Pairs come out sorted by image, then class.
    /// </summary>
    /// <param name="objectMasks"><c>[B, K, H, W]</c>, bool or 0/1: plane <c>k</c> of image <c>b</c> is object <c>k</c>'s pixels
    /// (as <see cref="Data.Loading.ImageBatch.ObjectMasks"/>).</param>
    /// <param name="objectClasses">Integer <c>[B, K]</c>: each object's class; a negative class marks a padding plane.</param>
    /// <returns>The regions, outside any dispose scope; the caller disposes them.</returns>
    public static ClassRegions FromObjects(Tensor objectMasks, Tensor objectClasses)
    {
        TensorChecks.Rank(objectMasks, 4, nameof(FromObjects), "object masks [B, K, H, W]", nameof(objectMasks));
        TensorChecks.Rank(objectClasses, 2, nameof(FromObjects), $"object classes [B = {objectMasks.shape[0]}, K = {objectMasks.shape[1]}]", nameof(objectClasses));
        if (objectClasses.shape[0] != objectMasks.shape[0] || objectClasses.shape[1] != objectMasks.shape[1])
        {
            throw new ArgumentException($"{nameof(FromObjects)} expects one class per object plane [B = {objectMasks.shape[0]}, K = {objectMasks.shape[1]}]; got {TensorChecks.Describe(objectClasses)}.", nameof(objectClasses));
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        long planes = objectMasks.shape[1], height = objectMasks.shape[2], width = objectMasks.shape[3];
        var classes = objectClasses.to(ScalarType.Int64).flatten();
        var objects = classes.ge(scalars.Of(0L)).nonzero().flatten();
        if (objects.shape[0] == 0)
        {
            return Detached(empty(0, dtype: ScalarType.Int64), empty(0, dtype: ScalarType.Int64), zeros([0, height, width], ScalarType.Bool));
        }

        // One key per object, image · m + class; equal keys are objects of one class in one image.
        var images = objects.div(scalars.Of(planes), rounding_mode: RoundingMode.floor);
        var objectClass = classes.index_select(0, objects);
        var m = scalars.Of(objectClass.max().item<long>() + 1);
        var (keys, inverse, _) = images.mul(m).Plus(objectClass).unique(return_inverse: true);
        var pixels = objectMasks.flatten(0, 1).index_select(0, objects).flatten(1).to(ScalarType.Float32);
        var union = zeros([keys.shape[0], height * width]).index_add_(0, inverse!, pixels, ScalarScope.One).gt(scalars.Of(0f)).view(-1, height, width);
        return Detached(keys.div(m, rounding_mode: RoundingMode.floor), keys.remainder(m), union);
    }

    /// <summary>The regions of a batch's boxes: each class present in an image gets the union of its boxes there (see <see cref="RegionMasks.FromBoxes"/>).</summary>
    /// <param name="boxes"><c>[B, K, 4]</c> as <c>(x1, y1, x2, y2)</c> in input pixels.</param>
    /// <param name="boxClasses">Integer <c>[B, K]</c>: each box's class; a negative class marks a padding row.</param>
    /// <param name="height">Input height <c>H</c>.</param>
    /// <param name="width">Input width <c>W</c>.</param>
    /// <returns>The regions, outside any dispose scope; the caller disposes them.</returns>
    public static ClassRegions FromBoxes(Tensor boxes, Tensor boxClasses, long height, long width)
    {
        TensorChecks.Rank(boxes, 3, nameof(FromBoxes), "boxes [B, K, 4] as (x1, y1, x2, y2)", nameof(boxes));
        using var scope = NewDisposeScope();
        var perBox = RegionMasks.FromBoxes(boxes.flatten(0, 1).unsqueeze(1), height, width).view(boxes.shape[0], boxes.shape[1], height, width);
        return FromObjects(perBox, boxClasses);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ImageIndices.Dispose();
        Classes.Dispose();
        Masks.Dispose();
    }

    private static ClassRegions Detached(Tensor imageIndices, Tensor classes, Tensor masks) =>
        new(imageIndices.DetachFromDisposeScope(), classes.DetachFromDisposeScope(), masks.DetachFromDisposeScope());
}
