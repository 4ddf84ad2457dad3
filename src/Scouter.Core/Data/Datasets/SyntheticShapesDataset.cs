// The embedded synthetic data set: procedurally rendered, deterministic by seed, no files. Classes are shapes;
// everything else (colour, position, size, rotation within ±20°, background, clutter, noise) is drawn
// independently of the class, so only the shape itself tells the classes apart.
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Images of one of ten shapes (<see cref="SyntheticShape"/>) at a random position, size, rotation and colour, on a
/// random colour gradient with low-frequency colour clouds, thin distractor strokes, soft distractor blobs and pixel
/// noise. Every image has a pixel mask of its shape and the mask's tight box: the ground truth for explanation
/// precision. Images are rendered on demand from <c>(seed, split, index)</c>, so the set takes no memory and
/// rendering in blocks (<see cref="Render"/>) gives the same pixels as one at a time.
/// </summary>
public sealed class SyntheticShapesDataset : ImageDataset
{
    /// <summary>Data set name.</summary>
    public const string DatasetName = "Synthetic";

    /// <summary>How many shape classes exist.</summary>
    public const int MaxClasses = 10;

    private const int BlockSize = 256;

    private readonly SyntheticShapesOptions options;
    private readonly string[] classNames;

    private SyntheticShapesDataset(SyntheticShapesOptions options, DatasetSplit split)
    {
        this.options = options;
        Split = split;
        classNames = Enum.GetNames<SyntheticShape>().Take(options.NumClasses).ToArray();
    }

    /// <summary>Creates the training and validation splits (disjoint random streams of the same seed).</summary>
    /// <param name="options">Size, classes, counts and seed; copied.</param>
    public static DatasetPair Create(SyntheticShapesOptions? options = null)
    {
        var copy = (options ?? new SyntheticShapesOptions()).Clone().Validate();
        return new DatasetPair(new SyntheticShapesDataset(copy, DatasetSplit.Train), new SyntheticShapesDataset(copy, DatasetSplit.Val));
    }

    /// <inheritdoc />
    public override string Name => DatasetName;

    /// <inheritdoc />
    public override DatasetSplit Split { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public override int Count => Split == DatasetSplit.Train ? options.TrainCount : options.ValCount;

    /// <inheritdoc />
    public override int Channels => 3;

    /// <summary>Side of the images in pixels.</summary>
    public int ImageSize => options.ImageSize;

    /// <inheritdoc />
    public override int GetLabel(int index)
    {
        CheckIndex(index);
        return index % options.NumClasses;
    }

    /// <summary>Ground truth: the tight box of the shape's mask (<c>X2</c>, <c>Y2</c> one past the last pixel).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="ImageDataset.Count"/>.</param>
    public override IReadOnlyList<BoundingBox> GetBoxes(int index)
    {
        if (!options.DrawShape)
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
        return (single.Images[0].clone(), options.DrawShape ? [single.Boxes[0]] : []);
    }

    /// <summary>The shape's pixel mask, bool <c>[S, S]</c>.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="ImageDataset.Count"/>.</param>
    public Tensor ReadMask(int index)
    {
        using var single = Render(index, 1);
        return single.Masks[0].clone();
    }

    /// <summary>Renders images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 at once (vectorised, in blocks of 256).</summary>
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
                var scenes = Enumerable.Range(first, Math.Min(BlockSize, start + count - first))
                    .Select(i => SyntheticScene.Draw(options.Seed, Split, i, options.ImageSize, options.NumClasses))
                    .ToList();
                blocks.Add(SyntheticShapesRenderer.Render(scenes, options.ImageSize, options.DrawShape));
            }

            return blocks.Count == 1
                ? blocks[0]
                : new SyntheticImages(cat(blocks.Select(b => b.Images).ToArray()), cat(blocks.Select(b => b.Masks).ToArray()),
                    blocks.SelectMany(b => b.Labels).ToArray(), blocks.SelectMany(b => b.Boxes).ToArray());
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
        return $"{Name} {Split} image #{index} (seed {options.Seed}, {(SyntheticShape)GetLabel(index)})";
    }
}
