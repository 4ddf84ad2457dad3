using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Tests.Data;

public sealed class ImageFolderTests
{
    [Fact]
    public void Load_TrainAndValSubfolders_ClassesFromTrain()
    {
        using var folder = new TempFolder();
        foreach (var (split, count) in new[] { ("train", 3), ("val", 1) })
        {
            foreach (var name in new[] { "dog", "cat" })
            {
                for (var i = 0; i < count; i++)
                {
                    folder.WriteImage($"{split}/{name}/{i}.png", 5, 5);
                }
            }
        }

        folder.WriteText("train/cat/notes.txt", "ignored");

        var pair = ImageFolder.Load(folder.Root);

        pair.ClassNames.Should().Equal("cat", "dog");
        pair.Train.Count.Should().Be(6);
        pair.Val.Count.Should().Be(2);
        Enumerable.Range(0, 6).Select(pair.Train.GetLabel).Should().Equal(0, 0, 0, 1, 1, 1);
    }

    [Fact]
    public void Load_WithoutSplitFolders_SplitsEachClassSeeded()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "b", "a" })
        {
            for (var i = 0; i < 5; i++)
            {
                folder.WriteImage($"{name}/{i}.jpg", 5, 5);
            }
        }

        var pair = ImageFolder.Load(folder.Root, seed: 3);
        pair.ClassNames.Should().Equal("a", "b");
        pair.Train.Count.Should().Be(8);
        pair.Val.Count.Should().Be(2);
    }

    [Fact]
    public void Load_TrainWithoutVal_NamesTheMissingFolder()
    {
        using var folder = new TempFolder();
        folder.WriteImage("train/a/0.png", 4, 4);
        var act = () => ImageFolder.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*val' does not exist*");
    }

    [Fact]
    public void Load_EmptyValFolder_ReportsTheEmptySplit()
    {
        using var folder = new TempFolder();
        folder.WriteImage("train/a/0.png", 4, 4);
        folder.Folder("val", "a");
        var act = () => ImageFolder.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*validation (val) split is empty*");
    }

    [Fact]
    public void Load_NoClassFolders_SaysNoClasses()
    {
        using var folder = new TempFolder();
        var act = () => ImageFolder.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*no classes found*");
    }
}
