using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Tests.Data;

public sealed class Cub200Tests
{
    // Three classes, two images each; image ids deliberately not in folder order. Image 5 is grayscale.
    private static void WriteCub(TempFolder folder, bool withBoxes = true)
    {
        folder.WriteText("classes.txt", "1 001.Black_footed_Albatross\n2 002.Laysan_Albatross\n3 003.Sooty_Albatross\n");
        var images = new (int Id, string Path, int Class, int Train)[]
        {
            (1, "001.Black_footed_Albatross/a1.jpg", 1, 1),
            (2, "001.Black_footed_Albatross/a2.jpg", 1, 0),
            (3, "002.Laysan_Albatross/b1.jpg", 2, 0),
            (4, "002.Laysan_Albatross/b2.jpg", 2, 1),
            (5, "003.Sooty_Albatross/c1.jpg", 3, 1),
            (6, "003.Sooty_Albatross/c2.jpg", 3, 0),
        };
        folder.WriteText("images.txt", string.Join("\n", images.Select(i => $"{i.Id} {i.Path}")) + "\n");
        folder.WriteText("image_class_labels.txt", string.Join("\n", images.Select(i => $"{i.Id} {i.Class}")) + "\n");
        folder.WriteText("train_test_split.txt", string.Join("\n", images.Select(i => $"{i.Id} {i.Train}")) + "\n");
        if (withBoxes)
        {
            folder.WriteText("bounding_boxes.txt", string.Join("\n", images.Select(i => $"{i.Id} {i.Id}.0 {2 * i.Id}.0 10.0 5.5")) + "\n");
        }

        foreach (var image in images)
        {
            folder.WriteImage(Path.Combine("images", image.Path), 16, 12, gray: image.Id == 5);
        }
    }

    [Fact]
    public void Load_UsesTheOfficialSplitLabelsAndBoxes()
    {
        using var folder = new TempFolder();
        WriteCub(folder);

        var pair = Cub200.Load(folder.Root);

        pair.ClassNames.Should().Equal("Black_footed_Albatross", "Laysan_Albatross", "Sooty_Albatross");
        var train = (FileImageDataset)pair.Train;
        train.Records.Select(r => Path.GetFileName(r.Path)).Should().Equal("a1.jpg", "b2.jpg", "c1.jpg");
        train.Records.Select(r => r.Label).Should().Equal(0, 1, 2);
        ((FileImageDataset)pair.Val).Records.Select(r => Path.GetFileName(r.Path)).Should().Equal("a2.jpg", "b1.jpg", "c2.jpg");

        // bounding_boxes.txt "4 4.0 8.0 10.0 5.5" → (x, y, x + w, y + h).
        pair.Train.GetBoxes(1).Should().Equal(new BoundingBox(4, 8, 14, 13.5));
    }

    [Fact]
    public void Load_KeepsFolderNumbersUpToNumClasses()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        var pair = Cub200.Load(folder.Root, numClasses: 2);
        pair.ClassNames.Should().HaveCount(2);
        pair.Train.Count.Should().Be(2);
        pair.Val.Count.Should().Be(2);
    }

    [Fact]
    public void ReadImage_ConvertsGrayscaleToRgb()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        var pair = Cub200.Load(folder.Root);
        using var image = pair.Train.ReadImage(2); // c1.jpg, written with one channel
        image.shape.Should().Equal(3, 12, 16);
    }

    [Fact]
    public void Load_MissingMetadataFile_NamesItAndTheLayout()
    {
        using var folder = new TempFolder();
        WriteCub(folder, withBoxes: false);
        var act = () => Cub200.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*bounding_boxes.txt' does not exist*Expected layout*images/<NNN.Name>/<file>.jpg*");
    }

    [Fact]
    public void Load_NoTestImages_NamesTheTestSplitAndTheFileThatDecidesIt()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        folder.WriteText("train_test_split.txt", string.Join("\n", Enumerable.Range(1, 6).Select(id => $"{id} 1")) + "\n");
        var act = () => Cub200.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("CUB200: the test split (is_training_image 0 in train_test_split.txt, used for validation) is empty*");
    }

    [Fact]
    public void Load_ASplitValueOtherThanZeroOrOne_IsRefusedNamingTheLine()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        folder.WriteText("train_test_split.txt", "1 1\n2 0\n3 yes\n4 1\n5 1\n6 0\n");
        var act = () => Cub200.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*line 3 of*train_test_split.txt' gives image 3 is_training_image 'yes'; expected 1 (training split) or 0 (test split*");
    }

    [Fact]
    public void Load_AFileGivenAsTheFolder_SaysItIsAFile()
    {
        using var folder = new TempFolder();
        var file = folder.WriteText("cub.zip", "not a folder");
        var act = () => Cub200.Load(file);
        act.Should().Throw<DatasetLayoutException>().WithMessage($"CUB200: '{file}' is a file; expected a folder.*");
    }

    [Fact]
    public void Load_TooManyClasses_SaysHowManyThereAre()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        var act = () => Cub200.Load(folder.Root, numClasses: 200);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*num_classes = 200*only 3 classes*");
    }

    [Fact]
    public void Load_MalformedLine_QuotesIt()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        folder.WriteText("train_test_split.txt", "1 1\ntwo 0\n");
        var act = () => Cub200.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*line 2 of*train_test_split.txt*\"two\"*integer*");
    }

    [Fact]
    public void Load_ImageMissingFromAMetadataFile_NamesTheImageAndFile()
    {
        using var folder = new TempFolder();
        WriteCub(folder);
        folder.WriteText("image_class_labels.txt", "1 1\n2 1\n3 2\n4 2\n5 3\n");
        var act = () => Cub200.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*image 6*no line in*image_class_labels.txt*");
    }
}
