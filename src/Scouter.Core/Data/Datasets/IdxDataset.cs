// MNIST-style IDX data (docs/official-implementation.md §6): train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each raw or gzip-compressed. Read directly: torchvision.datasets.MNIST in TorchSharp
// wants uncompressed files in another folder and tries the network.
using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Transforms;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// An IDX image set (MNIST, Fashion-MNIST, KMNIST, …) held in memory: one channel, uint8, labels from the labels file.
/// </summary>
public sealed class IdxDataset : ImageDataset
{
    /// <summary>The layout <see cref="Load"/> expects, quoted in its errors.</summary>
    public const string Layout =
        "<dataset_dir>/{train,t10k}-images-idx3-ubyte[.gz] and {train,t10k}-labels-idx1-ubyte[.gz] (also accepted: '.' instead of the last '-', or the files in <dataset_dir>/raw/ or torchvision's <dataset_dir>/MNIST/raw/)";

    private readonly byte[] pixels;
    private readonly int[] labels;
    private readonly int[] sourceIndex;
    private readonly IReadOnlyList<string> classNames;
    private readonly int rows;
    private readonly int cols;
    private readonly string path;

    private IdxDataset(string name, DatasetSplit split, string path, byte[] pixels, int rows, int cols, int[] labels, int[] sourceIndex, IReadOnlyList<string> classNames)
    {
        Name = name;
        Split = split;
        this.path = path;
        this.pixels = pixels;
        this.rows = rows;
        this.cols = cols;
        this.labels = labels;
        this.sourceIndex = sourceIndex;
        this.classNames = classNames;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override DatasetSplit Split { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public override int Count => labels.Length;

    /// <inheritdoc />
    public override int Channels => 1;

    /// <inheritdoc />
    public override Normalization Normalization => Normalization.Mnist;

    /// <summary>Loads the training (<c>train-*</c>) and test (<c>t10k-*</c>) files of an IDX folder.</summary>
    /// <param name="datasetDir">The folder holding the four files (or a <c>raw/</c> subfolder with them).</param>
    /// <param name="numClasses">Keep images whose label is below this (null: all labels present).</param>
    /// <param name="classNames">Class names by label; default the label digits "0", "1", ….</param>
    /// <param name="name">Data set name for messages (default <c>MNIST</c>).</param>
    /// <exception cref="DatasetLayoutException">A file is missing, truncated or inconsistent, or num_classes exceeds the labels present.</exception>
    public static DatasetPair Load(string datasetDir, int? numClasses = null, IReadOnlyList<string>? classNames = null, string name = "MNIST")
    {
        ArgumentNullException.ThrowIfNull(datasetDir);
        var root = DatasetFiles.RequireDirectory(datasetDir, name, Layout);
        var train = LoadSplit(root, "train", DatasetSplit.Train, numClasses, classNames, name);
        var val = LoadSplit(root, "t10k", DatasetSplit.Val, train.NumClasses, train.ClassNames, name);
        return new DatasetPair(train, val);
    }

    /// <inheritdoc />
    public override int GetLabel(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    /// <inheritdoc />
    public override Tensor ReadImage(int index)
    {
        CheckIndex(index);
        var size = rows * cols;
        var image = new byte[size];
        Array.Copy(pixels, (long)sourceIndex[index] * size, image, 0, size);
        return tensor(image, [1, rows, cols], ScalarType.Byte);
    }

    /// <inheritdoc />
    public override string Describe(int index)
    {
        CheckIndex(index);
        return $"{path} image #{sourceIndex[index]}";
    }

    private static IdxDataset LoadSplit(string root, string prefix, DatasetSplit split, int? numClasses, IReadOnlyList<string>? classNames, string name)
    {
        var imagesFile = IdxFile.Read(Find(root, prefix, "images", 3, name), expectedRank: 3);
        var labelsFile = IdxFile.Read(Find(root, prefix, "labels", 1, name), expectedRank: 1);
        var count = imagesFile.Dimensions[0];
        if (labelsFile.Dimensions[0] != count)
        {
            throw new DatasetLayoutException(labelsFile.Path, $"{name}: '{imagesFile.Path}' holds {count} images but '{labelsFile.Path}' holds {labelsFile.Dimensions[0]} labels; they must match.");
        }

        var allLabels = labelsFile.Data.Select(b => (int)b).ToArray();
        var present = allLabels.Length == 0 ? 0 : allLabels.Max() + 1;
        var classes = numClasses ?? classNames?.Count ?? present;
        if (classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{name}: num_classes must be at least 1.");
        }

        if (classes > present)
        {
            throw new DatasetLayoutException(labelsFile.Path, $"{name}: num_classes = {classes} but the labels in '{labelsFile.Path}' only go up to {present - 1} ({present} classes).");
        }

        var names = classNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (names.Count < classes)
        {
            throw new ArgumentException($"{name}: {names.Count} class names given for {classes} classes.", nameof(classNames));
        }

        var kept = Enumerable.Range(0, count).Where(i => allLabels[i] < classes).ToArray();
        if (kept.Length == 0)
        {
            throw new DatasetLayoutException(imagesFile.Path, $"{name}: the {split} split is empty: no image of '{imagesFile.Path}' has a label below {classes}.");
        }

        return new IdxDataset(name, split, imagesFile.Path, imagesFile.Data, imagesFile.Dimensions[1], imagesFile.Dimensions[2],
            kept.Select(i => allLabels[i]).ToArray(), kept, names.Take(classes).ToArray());
    }

    private static string Find(string root, string prefix, string kind, int rank, string name)
    {
        var candidates = new List<string>();
        // torchvision keeps its downloads in <root>/MNIST/raw (the official code's './data/mnist').
        foreach (var folder in new[] { root, Path.Combine(root, "raw"), Path.Combine(root, "MNIST", "raw") })
        {
            foreach (var separator in new[] { "-", "." })
            {
                var baseName = $"{prefix}-{kind}{separator}idx{rank}-ubyte";
                candidates.Add(Path.Combine(folder, baseName));
                candidates.Add(Path.Combine(folder, baseName + ".gz"));
            }
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DatasetLayoutException(Path.Combine(root, $"{prefix}-{kind}-idx{rank}-ubyte[.gz]"),
                $"{name}: no {prefix} {kind} file in '{root}': looked for {prefix}-{kind}-idx{rank}-ubyte and .gz (and in raw/ and MNIST/raw/). Expected layout: {Layout}");
    }
}
