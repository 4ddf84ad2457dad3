using Scouter.Core.Data.Transforms;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Some images of a data set, in a given order, as a data set of their own: index <c>i</c> here is
/// <c>Indices[i]</c> of the source. Identifiers and descriptions stay those of the source images.
/// </summary>
internal sealed class DatasetSubset : ImageDataset
{
    private readonly ImageDataset source;
    private readonly int[] indices;

    public DatasetSubset(ImageDataset source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        var outside = indices.Where(i => (uint)i >= (uint)source.Count).Take(1).ToArray();
        if (outside.Length > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(indices), outside[0], $"{source.Name} {source.Split} has {source.Count} images; a subset cannot hold image {outside[0]}.");
        }

        this.source = source;
        this.indices = indices;
    }

    /// <summary>The source index of each image of the subset.</summary>
    public IReadOnlyList<int> Indices => indices;

    public override string Name => source.Name;

    public override DatasetSplit Split => source.Split;

    public override IReadOnlyList<string> ClassNames => source.ClassNames;

    public override int Count => indices.Length;

    public override int Channels => source.Channels;

    public override Normalization Normalization => source.Normalization;

    public override bool HasLabels => source.HasLabels;

    public override int GetLabel(int index) => source.GetLabel(SourceIndex(index));

    public override IReadOnlyList<BoundingBox> GetBoxes(int index) => source.GetBoxes(SourceIndex(index));

    public override Tensor ReadImage(int index) => source.ReadImage(SourceIndex(index));

    public override (Tensor Image, IReadOnlyList<BoundingBox> Boxes) ReadWithBoxes(int index) => source.ReadWithBoxes(SourceIndex(index));

    public override AnnotatedImage ReadAnnotated(int index) => source.ReadAnnotated(SourceIndex(index));

    public override string ImageId(int index) => source.ImageId(SourceIndex(index));

    public override string Describe(int index) => source.Describe(SourceIndex(index));

    private int SourceIndex(int index)
    {
        CheckIndex(index);
        return indices[index];
    }
}
