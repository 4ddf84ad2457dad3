// The generic class-per-folder layout (torchvision.datasets.ImageFolder): root/<class>/<image>.
namespace Scouter.Core.Data.Datasets;

/// <summary>Loads <c>root/&lt;class&gt;/*.jpg|png</c>, either already split into <c>train/</c> and <c>val/</c> or split here.</summary>
/// <remarks>
/// With <c>root/train/&lt;class&gt;/</c> (and <c>root/val/</c>), classes are the sorted folders of <c>train/</c>.
/// Without them, classes are the sorted folders of <c>root</c> and each class is split as <see cref="ConText"/>
/// does it (stratified, seeded Fisher–Yates, <c>round(trainFraction · n)</c> images train).
/// </remarks>
public static class ImageFolder
{
    /// <summary>Data set name.</summary>
    public const string Name = "ImageFolder";

    /// <summary>The layout <see cref="Load"/> expects, quoted in its errors.</summary>
    public const string Layout = "<dataset_dir>/<class>/*.jpg|jpeg|png, or <dataset_dir>/train/<class>/… with <dataset_dir>/val/<class>/…";

    /// <summary>Loads the first <paramref name="numClasses"/> sorted classes.</summary>
    /// <param name="datasetDir">The root folder.</param>
    /// <param name="numClasses">Keep the first this many sorted class folders (null: all).</param>
    /// <param name="seed">Seed of the split when there are no train/val folders.</param>
    /// <param name="trainFraction">Share of each class that trains when there are no train/val folders.</param>
    /// <exception cref="DatasetLayoutException">The folder is missing, has no class folders, num_classes exceeds them, or a split is empty.</exception>
    public static DatasetPair Load(string datasetDir, int? numClasses = null, int seed = 0, double trainFraction = 0.8)
    {
        ArgumentNullException.ThrowIfNull(datasetDir);
        var root = DatasetFiles.RequireDirectory(datasetDir, Name, Layout);
        var trainDir = Path.Combine(root, "train");
        if (!Directory.Exists(trainDir))
        {
            return SplitHere(root, numClasses, seed, trainFraction);
        }

        var classes = DatasetFiles.FirstClasses(DatasetFiles.SortedSubfolders(trainDir), numClasses, Name, trainDir);
        var valDir = DatasetFiles.RequireDirectory(Path.Combine(root, "val"), Name, Layout);
        var train = FromClassFolders(trainDir, classes);
        var val = FromClassFolders(valDir, classes);
        DatasetFiles.RequireNonEmpty(train, Name, DatasetSplit.Train, trainDir);
        DatasetFiles.RequireNonEmpty(val, Name, DatasetSplit.Val, valDir);
        return new DatasetPair(new FileImageDataset(Name, DatasetSplit.Train, classes, train), new FileImageDataset(Name, DatasetSplit.Val, classes, val));
    }

    /// <summary>The images of each class folder of <paramref name="folder"/> that exists, labelled by position in <paramref name="classes"/>.</summary>
    internal static List<ImageRecord> FromClassFolders(string folder, IReadOnlyList<string> classes)
    {
        var records = new List<ImageRecord>();
        for (var label = 0; label < classes.Count; label++)
        {
            var classDir = Path.Combine(folder, classes[label]);
            if (Directory.Exists(classDir))
            {
                records.AddRange(DatasetFiles.Images(classDir).Select(f => new ImageRecord(f, label, [])));
            }
        }

        return records;
    }

    private static DatasetPair SplitHere(string root, int? numClasses, int seed, double trainFraction)
    {
        var classes = DatasetFiles.FirstClasses(DatasetFiles.SortedSubfolders(root), numClasses, Name, root);
        var (train, val) = DatasetFiles.StratifiedSplit(classes.Select(c => DatasetFiles.Images(Path.Combine(root, c))).ToList(), seed, trainFraction, Name);
        DatasetFiles.RequireNonEmpty(train, Name, DatasetSplit.Train, root);
        DatasetFiles.RequireNonEmpty(val, Name, DatasetSplit.Val, root);
        return new DatasetPair(new FileImageDataset(Name, DatasetSplit.Train, classes, train), new FileImageDataset(Name, DatasetSplit.Val, classes, val));
    }
}
