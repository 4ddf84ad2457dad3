// Con-Text (Karaoglu et al. 2013, fine-grained business-place images) as the official SCOUTER loader reads it
// (docs/official-implementation.md §6): one flat folder of <category>_<anything>.jpg, categories = sorted distinct prefixes.
namespace Scouter.Core.Data.Datasets;

/// <summary>Loads Con-Text from one flat folder of images and splits it 80/20 deterministically.</summary>
/// <remarks>
/// The split is stratified and seeded: the files of each category, sorted by ordinal file name, are shuffled by
/// Fisher–Yates with <c>SeededRandom.For(seed, categoryIndex)</c> (<see cref="SeededRandom"/>, SplitMix64); the
/// first <c>round(trainFraction · n)</c> of them train, the rest validate. The same folder, seed and fraction give
/// the same split on every machine and .NET version. The official code's split (PyTorch's RNG) cannot be reproduced
/// outside Python; this one is documented instead.
/// </remarks>
public static class ConText
{
    /// <summary>Data set name.</summary>
    public const string Name = "ConText";

    /// <summary>The default seed of the split.</summary>
    public const int DefaultSeed = 0;

    /// <summary>The layout <see cref="Load"/> expects, quoted in its errors.</summary>
    public const string Layout = "<dataset_dir>/<category>_<anything>.jpg (one flat folder; the category is the file-name part before the first '_')";

    /// <summary>Loads the first <paramref name="numClasses"/> categories and splits them.</summary>
    /// <param name="datasetDir">The flat folder of images.</param>
    /// <param name="numClasses">Keep the first this many sorted categories (null: all).</param>
    /// <param name="seed">Seed of the split.</param>
    /// <param name="trainFraction">Share of each category's images that train, in (0, 1).</param>
    /// <exception cref="DatasetLayoutException">The folder is missing or has no <c>category_name</c> images, num_classes exceeds the categories, or a split is empty.</exception>
    public static DatasetPair Load(string datasetDir, int? numClasses = null, int seed = DefaultSeed, double trainFraction = 0.8)
    {
        ArgumentNullException.ThrowIfNull(datasetDir);
        var root = DatasetFiles.RequireDirectory(datasetDir, Name, Layout);
        var files = DatasetFiles.Images(root).Where(f => Path.GetFileName(f).IndexOf('_') > 0).ToList();
        var byCategory = files.GroupBy(f => Path.GetFileName(f)[..Path.GetFileName(f).IndexOf('_')], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var categories = DatasetFiles.FirstClasses(byCategory.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList(), numClasses, Name, root);

        var (train, val) = DatasetFiles.StratifiedSplit(categories.Select(c => byCategory[c]).ToList(), seed, trainFraction, Name);
        DatasetFiles.RequireNonEmpty(train, Name, DatasetSplit.Train, root);
        DatasetFiles.RequireNonEmpty(val, Name, DatasetSplit.Val, root);
        return new DatasetPair(
            new FileImageDataset(Name, DatasetSplit.Train, categories, train),
            new FileImageDataset(Name, DatasetSplit.Val, categories, val));
    }
}
