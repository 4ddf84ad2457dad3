using Scouter.Core.Data.Imaging;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// A data set whose images are JPEG or PNG files, decoded on demand by <see cref="ImageDecoder"/> and always
/// returned as RGB (grayscale and CMYK converted), as the official code does for CUB, Con-Text and ImageNet.
/// The loaders (<see cref="Cub200"/>, <see cref="ConText"/>, <see cref="ImageNet"/>, <see cref="ImageFolder"/>)
/// build these; any list of <see cref="ImageRecord"/>s can be wrapped too.
/// </summary>
public sealed class FileImageDataset : ImageDataset
{
    private readonly IReadOnlyList<ImageRecord> records;
    private readonly IReadOnlyList<string> classNames;

    /// <summary>Wraps a list of image files.</summary>
    /// <param name="name">The data set's name.</param>
    /// <param name="split">Which split the files are.</param>
    /// <param name="classNames">Class names by label.</param>
    /// <param name="records">The images, in the order indices refer to.</param>
    public FileImageDataset(string name, DatasetSplit split, IReadOnlyList<string> classNames, IReadOnlyList<ImageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(records);
        for (var i = 0; i < records.Count; i++)
        {
            if ((uint)records[i].Label >= (uint)classNames.Count)
            {
                throw new ArgumentException($"Image '{records[i].Path}' has label {records[i].Label}, outside [0, {classNames.Count}) for {classNames.Count} classes.", nameof(records));
            }
        }

        Name = name;
        Split = split;
        this.classNames = classNames;
        this.records = records;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override DatasetSplit Split { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public override int Count => records.Count;

    /// <inheritdoc />
    public override int Channels => 3;

    /// <summary>The image files, in index order.</summary>
    public IReadOnlyList<ImageRecord> Records => records;

    /// <inheritdoc />
    public override int GetLabel(int index)
    {
        CheckIndex(index);
        return records[index].Label;
    }

    /// <inheritdoc />
    public override IReadOnlyList<BoundingBox> GetBoxes(int index)
    {
        CheckIndex(index);
        return records[index].Boxes;
    }

    /// <inheritdoc />
    public override Tensor ReadImage(int index)
    {
        CheckIndex(index);
        return ImageDecoder.Read(records[index].Path, rgb: true);
    }

    /// <inheritdoc />
    public override string Describe(int index)
    {
        CheckIndex(index);
        return records[index].Path;
    }
}
