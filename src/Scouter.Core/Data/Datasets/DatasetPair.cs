namespace Scouter.Core.Data.Datasets;

/// <summary>The training and validation splits of one data set, which share their class names.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Val">The validation split.</param>
public sealed record DatasetPair(ImageDataset Train, ImageDataset Val)
{
    /// <summary>Class names by label (those of <see cref="Train"/>, which <see cref="Val"/> shares).</summary>
    public IReadOnlyList<string> ClassNames => Train.ClassNames;
}
