using Scouter.Core.Data.Datasets;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Loading;

/// <summary>
/// One batch from a <see cref="BatchLoader"/>: the transformed images, their labels, which data-set images they
/// are, and their boxes mapped to the transformed size.
/// </summary>
/// <remarks>
/// <para>Ownership: the batch's tensors belong to no dispose scope (they are made on loader threads), so a
/// <c>torch.NewDisposeScope()</c> opened inside the loop body for the training step neither frees them early nor
/// keeps them alive: everything the step derives from them belongs to the step's scope, the batch itself to the
/// batch. Dispose the batch when done (<c>using (batch)</c>); as a safety net the loader disposes each batch when
/// the enumeration moves past it or ends, unless <see cref="Keep"/> was called, after which disposing is yours.</para>
/// <para>Boxes and masks are scaled from the original image to the transformed one; geometric augmentation (flips,
/// affine) is not applied to them, so use them with an unaugmented (evaluation) transform.</para>
/// </remarks>
public sealed class ImageBatch : IDisposable
{
    private bool kept;

    internal ImageBatch(Tensor images, Tensor labels, int[] indices, IReadOnlyList<BoundingBox>[] boxes, IReadOnlyList<AnnotatedObject>[] objects, Tensor? objectMasks,
        (int Width, int Height)[] originalSizes, int skipped)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
        Boxes = boxes;
        Objects = objects;
        ObjectMasks = objectMasks;
        OriginalSizes = originalSizes;
        Skipped = skipped;
    }

    /// <summary>float32 <c>[B, C, S, S]</c>, normalised.</summary>
    public Tensor Images { get; }

    /// <summary>int64 <c>[B]</c> class indices.</summary>
    public Tensor Labels { get; }

    /// <summary>Data-set index of each image.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>
    /// Ground-truth boxes of each image's label in the transformed image's pixels (empty lists when the data set has
    /// none): the boxes of the <see cref="Objects"/> whose class is the label.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<BoundingBox>> Boxes { get; }

    /// <summary>
    /// Every annotated object of each image, with its class, boxes in the transformed image's pixels
    /// (<see cref="ImageDataset.ReadAnnotated"/>). For most data sets these are the label's boxes; the objects of
    /// <see cref="SyntheticScenesDataset"/> are all the shapes of an image.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<AnnotatedObject>> Objects { get; }

    /// <summary>
    /// bool <c>[B, K, S, S]</c>: plane <c>k</c> of image <c>b</c> is the mask of <c>Objects[b][k]</c> at the transformed
    /// size; planes past an image's object count are empty, and <c>K</c> is the batch's most objects. Null when the
    /// data set has no masks or the batch holds no object.
    /// </summary>
    public Tensor? ObjectMasks { get; }

    /// <summary>Width and height of each image as stored, before resizing.</summary>
    public IReadOnlyList<(int Width, int Height)> OriginalSizes { get; }

    /// <summary>Images of this batch left out because they could not be read.</summary>
    public int Skipped { get; }

    /// <summary>Number of images <c>B</c>.</summary>
    public int Count => Indices.Count;

    /// <summary>Takes the batch out of the loader's automatic disposal; the caller must dispose it.</summary>
    /// <returns>This batch.</returns>
    public ImageBatch Keep()
    {
        kept = true;
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        ObjectMasks?.Dispose();
    }

    internal void ReleaseFromLoader()
    {
        if (!kept)
        {
            Dispose();
        }
    }
}
