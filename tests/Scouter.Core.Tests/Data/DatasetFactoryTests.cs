using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Data.Transforms;

namespace Scouter.Core.Tests.Data;

public sealed class DatasetFactoryTests
{
    [Theory]
    [InlineData("synthetic")]
    [InlineData("SYNTHETIC")]
    [InlineData(" Synthetic ")]
    public void Create_NamesAreCaseInsensitive(string name)
    {
        var data = DatasetFactory.Create(new DatasetOptions { Name = name, ImageSize = 32, NumClasses = 4, SyntheticTrainCount = 8, SyntheticValCount = 4 });
        data.Train.Should().BeOfType<SyntheticShapesDataset>();
        data.ClassNames.Should().Equal("Circle", "Square", "Triangle", "Cross");
        data.Val.Count.Should().Be(4);
    }

    [Fact]
    public void Create_BuildsTheOfficialTransforms()
    {
        var data = DatasetFactory.Create(new DatasetOptions { ImageSize = 40, Augment = true, SyntheticTrainCount = 8, SyntheticValCount = 4 });
        data.TrainTransform.ImageSize.Should().Be(40);
        data.TrainTransform.Augment.Should().BeTrue();
        data.ValTransform.Augment.Should().BeFalse("validation is never augmented");
        data.ValTransform.Normalization.Should().BeSameAs(Normalization.ImageNet);
    }

    [Fact]
    public void Create_Mnist_UsesMnistNormalisation()
    {
        using var folder = new TempFolder();
        foreach (var (prefix, count) in new[] { ("train", 2), ("t10k", 1) })
        {
            var images = new byte[16 + (count * 4)];
            images[2] = 8;
            images[3] = 3;
            images[7] = (byte)count;
            images[11] = 2;
            images[15] = 2;
            File.WriteAllBytes(folder.PathOf($"{prefix}-images-idx3-ubyte"), images);
            var labels = new byte[8 + count];
            labels[2] = 8;
            labels[3] = 1;
            labels[7] = (byte)count;
            labels[8] = 1;
            File.WriteAllBytes(folder.PathOf($"{prefix}-labels-idx1-ubyte"), labels);
        }

        var data = DatasetFactory.Create(new DatasetOptions { Name = "mnist", DatasetDir = folder.Root, ImageSize = 28 });
        data.TrainTransform.Normalization.Should().BeSameAs(Normalization.Mnist);
        data.ClassNames.Should().Equal("0", "1");
    }

    [Fact]
    public void Create_UnknownName_ListsTheKnownOnes()
    {
        var act = () => DatasetFactory.Create(new DatasetOptions { Name = "cifar" });
        act.Should().Throw<ArgumentException>().WithMessage("*'cifar'*MNIST, ImageNet, ConText, CUB200, ImageFolder, Synthetic, SyntheticScenes (case-insensitive)*");
    }

    [Theory]
    [InlineData("ImageNet")]
    [InlineData("cub200")]
    [InlineData("ConText")]
    [InlineData("ImageFolder")]
    [InlineData("MNIST")]
    public void Create_DiskDatasetWithoutFolder_AsksForIt(string name)
    {
        var act = () => DatasetFactory.Create(new DatasetOptions { Name = name });
        act.Should().Throw<ArgumentException>().WithMessage("*DatasetDir (--dataset_dir)*");
    }

    [Fact]
    public void Create_ImageFolderByName_ReadsTheFolder()
    {
        using var folder = new TempFolder();
        for (var i = 0; i < 5; i++)
        {
            folder.WriteImage($"x/{i}.png", 6, 6);
            folder.WriteImage($"y/{i}.png", 6, 6);
        }

        var data = DatasetFactory.Create(new DatasetOptions { Name = "imagefolder", DatasetDir = folder.Root, ImageSize = 8, Seed = 1 });
        data.ClassNames.Should().Equal("x", "y");
        data.Train.Count.Should().Be(8);
    }
}
