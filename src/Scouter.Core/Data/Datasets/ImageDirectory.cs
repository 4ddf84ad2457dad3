// A plain folder of images to run a trained model over (bulk explanation): no class folders, no labels.
using Scouter.Core.Data.Imaging;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Every JPEG and PNG file under a folder, subfolders included, in ordinal order of their relative paths, without
/// labels (<see cref="ImageDataset.HasLabels"/> is false, <see cref="GetLabel"/> returns <see cref="ImageDataset.NoLabel"/>).
/// An image's <see cref="ImageId"/> is its path relative to the folder with <c>/</c> separators, so it stays the same
/// when the folder moves.
/// </summary>
public sealed class ImageDirectory : ImageDataset
{
    /// <summary>Data set name.</summary>
    public const string DatasetName = "ImageDirectory";

    private readonly string root;
    private readonly string[] relativePaths;
    private readonly IReadOnlyList<string> classNames;

    private ImageDirectory(string root, string[] relativePaths, IReadOnlyList<string> classNames, int channels)
    {
        this.root = root;
        this.relativePaths = relativePaths;
        this.classNames = classNames;
        Channels = channels;
    }

    /// <summary>Lists the images under <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder to search, recursively.</param>
    /// <param name="classNames">The class names of the model the images will go through (for naming predictions); may be empty.</param>
    /// <param name="channels">3 to decode RGB (grayscale and CMYK converted), 1 to decode grayscale (MNIST models).</param>
    /// <exception cref="DatasetLayoutException">The folder does not exist or holds no image.</exception>
    public static ImageDirectory Load(string folder, IReadOnlyList<string>? classNames = null, int channels = 3)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images are decoded with 1 (grayscale) or 3 (RGB) channels.");
        }

        const string layout = "<folder>/**/*.jpg|jpeg|png";
        var root = DatasetFiles.RequireDirectory(folder, DatasetName, layout);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(DatasetFiles.IsImage)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new DatasetLayoutException(root, $"{DatasetName}: folder '{root}' holds no .jpg, .jpeg or .png file. Expected layout: {layout}");
        }

        return new ImageDirectory(root, files, classNames ?? [], channels);
    }

    /// <summary>The folder searched (absolute).</summary>
    public string Root => root;

    /// <inheritdoc />
    public override string Name => DatasetName;

    /// <summary>Always <see cref="DatasetSplit.Val"/>: the images are only ever evaluated.</summary>
    public override DatasetSplit Split => DatasetSplit.Val;

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public override int Count => relativePaths.Length;

    /// <inheritdoc />
    public override int Channels { get; }

    /// <inheritdoc />
    public override bool HasLabels => false;

    /// <summary>Always <see cref="ImageDataset.NoLabel"/>.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public override int GetLabel(int index)
    {
        CheckIndex(index);
        return NoLabel;
    }

    /// <inheritdoc />
    public override Tensor ReadImage(int index)
    {
        CheckIndex(index);
        return ImageDecoder.Read(Path.Combine(root, relativePaths[index]), rgb: Channels == 3);
    }

    /// <summary>The image's path relative to <see cref="Root"/>, with <c>/</c> separators.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    public override string ImageId(int index)
    {
        CheckIndex(index);
        return relativePaths[index];
    }

    /// <inheritdoc />
    public override string Describe(int index)
    {
        CheckIndex(index);
        return Path.Combine(root, relativePaths[index]);
    }
}
