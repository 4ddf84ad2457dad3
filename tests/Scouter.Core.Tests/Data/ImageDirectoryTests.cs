using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Tests.Data;

public sealed class ImageDirectoryTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Load_ListsEveryImageRecursively_InOrdinalOrderOfRelativePaths_WithoutLabels()
    {
        folder.WriteImage("in/b/z.png", 4, 3);
        folder.WriteImage("in/B.jpg", 5, 6);
        folder.WriteImage("in/a.png", 2, 2, gray: true);
        folder.WriteText("in/notes.txt", "not an image");

        var images = ImageDirectory.Load(folder.PathOf("in"), ["cat", "dog"]);

        // Ordinal order: upper case before lower case, "a.png" before "b/z.png".
        Enumerable.Range(0, images.Count).Select(images.ImageId).Should().Equal("B.jpg", "a.png", "b/z.png");
        images.HasLabels.Should().BeFalse();
        images.GetLabel(1).Should().Be(ImageDataset.NoLabel);
        images.ClassNames.Should().Equal("cat", "dog");
        images.Describe(2).Should().Be(folder.PathOf("in", "b", "z.png"));
        using var gray = images.ReadImage(1);
        gray.shape.Should().Equal([3L, 2, 2], "images are decoded as RGB by default");
    }

    [Fact]
    public void Load_WithOneChannel_DecodesGrayscale()
    {
        folder.WriteImage("in/a.png", 4, 3);

        using var image = ImageDirectory.Load(folder.PathOf("in"), channels: 1).ReadImage(0);

        image.shape.Should().Equal(1, 3, 4);
    }

    [Fact]
    public void Load_AFolderWithoutImages_NamesTheFolderAndTheLayout()
    {
        folder.WriteText("empty/readme.txt", "nothing");

        var act = () => ImageDirectory.Load(folder.PathOf("empty"));

        act.Should().Throw<DatasetLayoutException>().WithMessage($"*{folder.PathOf("empty")}*no .jpg, .jpeg or .png*");
    }

    [Fact]
    public void DefaultImageId_IsSplitSlashIndex()
    {
        var val = SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 16, TrainCount = 2, ValCount = 3 }).Val;

        val.ImageId(2).Should().Be("val/2");
    }
}
