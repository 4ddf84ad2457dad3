namespace Scouter.Core.Data.Datasets;

/// <summary>Settings of the embedded synthetic data sets (<see cref="SyntheticShapesDataset"/>, <see cref="SyntheticScenesDataset"/>).</summary>
public sealed class SyntheticShapesOptions
{
    /// <summary>Side of the square images in pixels (default 64).</summary>
    public int ImageSize { get; set; } = 64;

    /// <summary>Number of classes, the first this many of <see cref="SyntheticShape"/> (default all 10).</summary>
    public int NumClasses { get; set; } = SyntheticShapesDataset.MaxClasses;

    /// <summary>Training images (default 5000).</summary>
    public int TrainCount { get; set; } = 5000;

    /// <summary>Validation images (default 1000).</summary>
    public int ValCount { get; set; } = 1000;

    /// <summary>Seed: equal seeds give identical images, labels, masks and boxes.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Draw the shapes (default true). False renders the same scenes without them — background, clutter and
    /// noise only — which is how the "background carries no class information" baseline is measured.
    /// </summary>
    public bool DrawShape { get; set; } = true;

    /// <summary>Checks every value and returns this object.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public SyntheticShapesOptions Validate()
    {
        if (ImageSize < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"Synthetic images must be at least 16 pixels wide for the shapes to be recognisable (ImageSize, the CLI's --img_size); got {ImageSize}.");
        }

        if (NumClasses < 2 || NumClasses > SyntheticShapesDataset.MaxClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, $"The synthetic data set has {SyntheticShapesDataset.MaxClasses} shape classes; num_classes must be in [2, {SyntheticShapesDataset.MaxClasses}].");
        }

        if (TrainCount < 1 || ValCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TrainCount), $"Synthetic split sizes must be at least 1; got train {TrainCount}, val {ValCount}.");
        }

        return this;
    }

    /// <summary>Returns a copy.</summary>
    public SyntheticShapesOptions Clone() => (SyntheticShapesOptions)MemberwiseClone();
}
