using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>A block of rendered synthetic images with their ground truth. Disposing it frees the tensors.</summary>
public sealed class SyntheticImages : IDisposable
{
    internal SyntheticImages(Tensor images, Tensor masks, int[] labels, BoundingBox[] boxes)
    {
        Images = images;
        Masks = masks;
        Labels = labels;
        Boxes = boxes;
    }

    /// <summary>uint8 <c>[N, 3, S, S]</c>.</summary>
    public Tensor Images { get; }

    /// <summary>bool <c>[N, S, S]</c>: true on the pixels of the class shape (empty when shapes are not drawn).</summary>
    public Tensor Masks { get; }

    /// <summary>Class index of each image.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Tight box of each mask, <c>X2</c>/<c>Y2</c> exclusive (one past the last shape pixel).</summary>
    public IReadOnlyList<BoundingBox> Boxes { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}
