using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// What the embedded synthetic data sets share: images of the shapes of <see cref="SyntheticShape"/> on a cluttered
/// background, rendered on demand from <c>(seed, split, index)</c>, so a set takes no memory and rendering in
/// blocks (<see cref="Render"/>) gives the same pixels as one image at a time. Every shape has a pixel mask and a
/// box: the ground truth for explanation precision. Labels are <c>index mod NumClasses</c> (balanced).
/// </summary>
public abstract class SyntheticDataset : ImageDataset
{
    private const int BlockSize = 256;

    private readonly string[] classNames;

    private protected SyntheticDataset(SyntheticShapesOptions options, DatasetSplit split)
    {
        Options = options;
        Split = split;
        classNames = Enum.GetNames<SyntheticShape>().Take(options.NumClasses).ToArray();
    }

    /// <inheritdoc />
    public override DatasetSplit Split { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public override int Count => Split == DatasetSplit.Train ? Options.TrainCount : Options.ValCount;

    /// <inheritdoc />
    public override int Channels => 3;

    /// <summary>Side of the images in pixels.</summary>
    public int ImageSize => Options.ImageSize;

    /// <summary>The most shapes one image holds (the mask planes of <see cref="SyntheticImages.ShapeMasks"/>).</summary>
    public abstract int MaxShapes { get; }

    /// <summary>The validated settings.</summary>
    private protected SyntheticShapesOptions Options { get; }

    /// <inheritdoc />
    public override int GetLabel(int index)
    {
        CheckIndex(index);
        return index % Options.NumClasses;
    }

    /// <summary>Ground truth: the tight box of the labelled shape's mask (<c>X2</c>, <c>Y2</c> one past the last pixel).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="ImageDataset.Count"/>.</param>
    public override IReadOnlyList<BoundingBox> GetBoxes(int index)
    {
        if (!Options.DrawShape)
        {
            return base.GetBoxes(index);
        }

        using var single = Render(index, 1);
        return [single.Boxes[0]];
    }

    /// <inheritdoc />
    public override Tensor ReadImage(int index)
    {
        using var single = Render(index, 1);
        return single.Images[0].clone();
    }

    /// <inheritdoc />
    public override (Tensor Image, IReadOnlyList<BoundingBox> Boxes) ReadWithBoxes(int index)
    {
        using var single = Render(index, 1);
        return (single.Images[0].clone(), Options.DrawShape ? [single.Boxes[0]] : []);
    }

    /// <summary>The image with every shape as an object: its class, its box and its mask, the labelled shape first.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="ImageDataset.Count"/>.</param>
    public override AnnotatedImage ReadAnnotated(int index)
    {
        using var single = Render(index, 1);
        var classes = single.ShapeClasses[0];
        var objects = classes.Select((c, k) => new AnnotatedObject(c, single.ShapeBoxes[0][k])).ToArray();
        return new AnnotatedImage(single.Images[0].clone(), objects, single.ShapeMasks[0].narrow(0, 0, objects.Length).clone());
    }

    /// <summary>The labelled shape's pixel mask, bool <c>[S, S]</c>.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="ImageDataset.Count"/>.</param>
    public Tensor ReadMask(int index)
    {
        using var single = Render(index, 1);
        return single.Masks[0].clone();
    }

    /// <summary>Renders images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 at once (in blocks of 256, one thread-pool task per image).</summary>
    /// <param name="start">First index.</param>
    /// <param name="count">Number of images.</param>
    /// <returns>Images, masks, labels and boxes; the caller disposes it.</returns>
    public SyntheticImages Render(int start, int count)
    {
        if (count < 1 || start < 0 || start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"{Name} {Split} has {Count} images; cannot render [{start}, {start + count}).");
        }

        var blocks = new List<SyntheticImages>();
        try
        {
            for (var first = start; first < start + count; first += BlockSize)
            {
                var scenes = Enumerable.Range(first, Math.Min(BlockSize, start + count - first)).Select(Draw).ToList();
                blocks.Add(SyntheticShapesRenderer.Render(scenes, Options.ImageSize, Options.DrawShape, MaxShapes));
            }

            return blocks.Count == 1
                ? blocks[0]
                : new SyntheticImages(cat(blocks.Select(b => b.Images).ToArray()), cat(blocks.Select(b => b.ShapeMasks).ToArray()),
                    blocks.SelectMany(b => b.Labels).ToArray(), blocks.SelectMany(b => b.ShapeClasses).Select(c => c.ToArray()).ToArray(),
                    blocks.SelectMany(b => b.ShapeBoxes).Select(b => b.ToArray()).ToArray());
        }
        finally
        {
            if (blocks.Count > 1)
            {
                blocks.ForEach(b => b.Dispose());
            }
        }
    }

    /// <inheritdoc />
    public override string Describe(int index)
    {
        CheckIndex(index);
        return $"{Name} {Split} image #{index} (seed {Options.Seed}, {(SyntheticShape)GetLabel(index)})";
    }

    /// <summary>Every random choice behind image <paramref name="index"/>.</summary>
    private protected abstract SyntheticScene Draw(int index);
}
