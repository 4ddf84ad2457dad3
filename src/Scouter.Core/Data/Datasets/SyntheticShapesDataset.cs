// The embedded synthetic data set: procedurally rendered, deterministic by seed, no files. Classes are shapes;
// everything else (colour, position, size, rotation within ±20°, background, clutter, noise) is drawn
// independently of the class, so only the shape itself tells the classes apart.
namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Images of one of ten shapes (<see cref="SyntheticShape"/>) at a random position, size, rotation and colour, on a
/// random colour gradient with low-frequency colour clouds, thin distractor strokes, soft distractor blobs and pixel
/// noise. Every image has a pixel mask of its shape and the mask's tight box: the ground truth for explanation
/// precision. Images are rendered on demand from <c>(seed, split, index)</c>, so the set takes no memory and
/// rendering in blocks (<see cref="SyntheticDataset.Render"/>) gives the same pixels as one at a time.
/// </summary>
public sealed class SyntheticShapesDataset : SyntheticDataset
{
    /// <summary>Data set name.</summary>
    public const string DatasetName = "Synthetic";

    /// <summary>How many shape classes exist.</summary>
    public const int MaxClasses = 10;

    private SyntheticShapesDataset(SyntheticShapesOptions options, DatasetSplit split)
        : base(options, split)
    {
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

    /// <summary>One shape per image.</summary>
    public override int MaxShapes => 1;

    private protected override SyntheticScene Draw(int index) =>
        SyntheticScene.Draw(Options.Seed, Split, index, Options.ImageSize, Options.NumClasses);
}
