// The embedded scene set: two or three shapes of different classes per image, the label is the largest. Each class
// present has its own mask, so "where is the evidence for class c" has an answer for every class in the image, and
// since every class also appears as a smaller distractor, which classes are present does not decide the label.
namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Images of two or three shapes of different classes (<see cref="SyntheticShape"/>), apart from each other, on the
/// background of <see cref="SyntheticShapesDataset"/> (gradient, colour clouds, strokes, blobs, noise). The label is
/// the class of the <b>largest</b> shape: its radius is 0.18–0.23 of the image side, every other shape's at most
/// 1/1.75 of it (and at least 0.09 of the side), so it is also the largest in pixels. The other shapes' classes are
/// drawn uniformly from the remaining classes, so every class is as often a distractor as any other. Each shape has
/// its own mask and box (<see cref="SyntheticDataset.ReadAnnotated"/>, <see cref="SyntheticImages.ShapeMasks"/>);
/// <see cref="SyntheticDataset.ReadMask"/> and the boxes of <see cref="ImageDataset.GetBoxes"/> are the labelled
/// shape's.
/// </summary>
/// <remarks>
/// Shapes lie wholly inside the image and at least 0.04 of the side (2 pixels or more) apart. Labels are
/// <c>index mod NumClasses</c>; the shape count (two or three, two with two classes), the other classes, sizes,
/// rotations (±20°), positions, colours and clutter are drawn from <c>(seed, split, index)</c> alone.
/// </remarks>
public sealed class SyntheticScenesDataset : SyntheticDataset
{
    /// <summary>Data set name.</summary>
    public const string DatasetName = "SyntheticScenes";

    /// <summary>Smallest image side: below it the smaller shapes are a few pixels wide.</summary>
    public const int MinImageSize = 32;

    private SyntheticScenesDataset(SyntheticShapesOptions options, DatasetSplit split)
        : base(options, split)
    {
    }

    /// <summary>Creates the training and validation splits (disjoint random streams of the same seed).</summary>
    /// <param name="options">Size (at least <see cref="MinImageSize"/>), classes, counts and seed; copied.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static DatasetPair Create(SyntheticShapesOptions? options = null)
    {
        var copy = (options ?? new SyntheticShapesOptions()).Clone().Validate();
        if (copy.ImageSize < MinImageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(SyntheticShapesOptions.ImageSize), copy.ImageSize, $"{DatasetName} images must be at least {MinImageSize} pixels wide for their smaller shapes to be recognisable; got ImageSize {copy.ImageSize}.");
        }

        return new DatasetPair(new SyntheticScenesDataset(copy, DatasetSplit.Train), new SyntheticScenesDataset(copy, DatasetSplit.Val));
    }

    /// <inheritdoc />
    public override string Name => DatasetName;

    /// <summary>Three shapes at most (two with two classes).</summary>
    public override int MaxShapes => Math.Min(SceneLayout.MaxShapes, Options.NumClasses);

    private protected override SyntheticScene Draw(int index) =>
        SyntheticScene.DrawScene(Options.Seed, Split, index, Options.ImageSize, Options.NumClasses);
}
