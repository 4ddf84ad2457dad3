using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;

namespace Scouter.Core.Tests.Data;

public sealed class DatasetRegistryTests
{
    [Fact]
    public void Names_ListTheBuiltInsInOrder()
    {
        new DatasetRegistry().Names.Should().Equal("MNIST", "ImageNet", "ConText", "CUB200", "ImageFolder", "Synthetic", "SyntheticScenes");
    }

    [Theory]
    [InlineData("MNIST", 1)]
    [InlineData(" mnist ", 1)]
    [InlineData("CUB200", 3)]
    [InlineData("not-registered", 3)]
    [InlineData(null, 3)]
    public void ImageChannels_AreThoseRegistered(string? name, int expected)
    {
        new DatasetRegistry().ImageChannels(name).Should().Be(expected);
    }

    [Fact]
    public void Register_AddsALayoutThatLoadsByNameAndGetsItsTransforms()
    {
        var registry = new DatasetRegistry();
        DatasetOptions? received = null;
        registry.Register("Tiny", options =>
        {
            received = options;
            return SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 16, NumClasses = 2, TrainCount = 4, ValCount = 2 });
        }, imageChannels: 3);

        var data = DatasetFactory.Create(new DatasetOptions { Name = "TINY", ImageSize = 24 }, registry);

        received!.ImageSize.Should().Be(24, "the loader receives the options as given");
        registry.Names.Should().EndWith("Tiny");
        data.Train.Count.Should().Be(4);
        data.ValTransform.ImageSize.Should().Be(24);
        new DatasetRegistry().Contains("Tiny").Should().BeFalse("a new registry holds the built-ins only");
    }

    [Fact]
    public void Register_ATakenName_Throws_UnlessReplacing()
    {
        var registry = new DatasetRegistry();
        DatasetPair Load(DatasetOptions _) => SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 16, NumClasses = 2, TrainCount = 2, ValCount = 2 });

        var act = () => registry.Register("cub200", Load);

        act.Should().Throw<ArgumentException>().WithMessage("*'CUB200' is already registered*replace: true*");
        registry.Register("cub200", Load, replace: true);
        registry.Load(new DatasetOptions { Name = "CUB200" }).Train.Count.Should().Be(2);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    public void Register_RejectsEmptyOrSpacedNames(string name)
    {
        var act = () => new DatasetRegistry().Register(name, _ => throw new InvalidOperationException());
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Load_ALoaderReturningNull_IsReported()
    {
        var registry = new DatasetRegistry();
        registry.Register("Broken", _ => null!);
        var act = () => registry.Load(new DatasetOptions { Name = "broken" });
        act.Should().Throw<InvalidOperationException>().WithMessage("*'Broken' returned null*");
    }
}
