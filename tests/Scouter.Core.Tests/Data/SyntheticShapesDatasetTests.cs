using Scouter.Core.Data.Datasets;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class SyntheticShapesDatasetTests
{
    private static DatasetPair Create(int seed = 0, int size = 48, bool drawShape = true) =>
        SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = size, TrainCount = 60, ValCount = 20, Seed = seed, DrawShape = drawShape });

    [Fact]
    public void Create_HasTenShapeClassesBalancedOverTheImages()
    {
        var pair = Create();
        pair.ClassNames.Should().Equal("Circle", "Square", "Triangle", "Cross", "Star", "Ring", "Diamond", "Crescent", "LShape", "TShape");
        Enumerable.Range(0, 60).Select(pair.Train.GetLabel).GroupBy(l => l).Select(g => g.Count()).Should().AllBeEquivalentTo(6);
        pair.Train.Count.Should().Be(60);
        pair.Val.Count.Should().Be(20);
    }

    [Fact]
    public void Render_SameSeed_SamePixels_OtherSeedOrSplit_OtherPixels()
    {
        using var a = ((SyntheticShapesDataset)Create(seed: 1).Train).Render(0, 8);
        using var b = ((SyntheticShapesDataset)Create(seed: 1).Train).Render(0, 8);
        using var c = ((SyntheticShapesDataset)Create(seed: 2).Train).Render(0, 8);
        using var v = ((SyntheticShapesDataset)Create(seed: 1).Val).Render(0, 8);

        a.Images.eq(b.Images).all().item<bool>().Should().BeTrue();
        a.Masks.eq(b.Masks).all().item<bool>().Should().BeTrue();
        a.Images.eq(c.Images).all().item<bool>().Should().BeFalse();
        a.Images.eq(v.Images).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void ReadImage_EqualsTheSameImageRenderedInABlock()
    {
        var train = (SyntheticShapesDataset)Create().Train;
        using var block = train.Render(10, 5);
        using var single = train.ReadImage(13);
        using var mask = train.ReadMask(13);
        single.eq(block.Images[3]).all().item<bool>().Should().BeTrue();
        mask.eq(block.Masks[3]).all().item<bool>().Should().BeTrue();
        train.GetBoxes(13).Should().Equal(block.Boxes[3]);
    }

    [Fact]
    public void Boxes_AreTheTightBoundsOfTheMasks()
    {
        var train = (SyntheticShapesDataset)Create(size: 64).Train;
        using var block = train.Render(0, 30);
        for (var i = 0; i < 30; i++)
        {
            using var mask = block.Masks[i];
            var rows = mask.any(1).nonzero().flatten();   // rows holding shape pixels
            var cols = mask.any(0).nonzero().flatten();
            rows.numel().Should().BeGreaterThan(0, "every image has its shape");
            var expected = new BoundingBox(cols.min().item<long>(), rows.min().item<long>(), cols.max().item<long>() + 1, rows.max().item<long>() + 1);
            block.Boxes[i].Should().Be(expected, $"image {i}");
            mask.sum().item<long>().Should().BeGreaterThan(40, "a shape covers a visible area");
        }
    }

    [Fact]
    public void Masks_MarkPixelsWhoseColourIsTheShapeColour()
    {
        // Inside the mask, pixels are the shape's flat colour plus small noise (σ = 0.04·255 ≈ 10 levels), so
        // their spread within a channel is far below that of the cluttered background.
        var train = (SyntheticShapesDataset)Create(size: 64).Train;
        using var block = train.Render(0, 10);
        for (var i = 0; i < 10; i++)
        {
            using var image = block.Images[i].to(ScalarType.Float32);
            using var inside = block.Masks[i];
            using var eroded = inside.logical_and(inside.roll(1, 0)).logical_and(inside.roll(-1, 0)).logical_and(inside.roll(1, 1)).logical_and(inside.roll(-1, 1));
            if (eroded.sum().item<long>() < 10)
            {
                continue; // thin shapes (ring) have few interior pixels away from the antialiased edge
            }

            using var values = image.permute(1, 2, 0)[eroded];
            values.std(0).max().item<float>().Should().BeLessThan(20f, $"image {i}");
        }
    }

    [Fact]
    public void WithoutShapes_MasksAreEmptyAndBoxesAbsent()
    {
        var pair = Create(drawShape: false);
        using var block = ((SyntheticShapesDataset)pair.Train).Render(0, 4);
        block.Masks.any().item<bool>().Should().BeFalse();
        pair.Train.GetBoxes(0).Should().BeEmpty();
    }

    [Fact]
    public void WithoutShapes_TheRestOfTheSceneIsUnchanged()
    {
        // Same seed with and without the shape: pixels outside the shape's box (plus its antialiased rim) agree.
        var with = (SyntheticShapesDataset)Create(size: 64).Train;
        var without = (SyntheticShapesDataset)Create(size: 64, drawShape: false).Train;
        using var a = with.Render(0, 5);
        using var b = without.Render(0, 5);
        for (var i = 0; i < 5; i++)
        {
            var box = a.Boxes[i];
            using var outside = ones([64, 64], ScalarType.Bool);
            outside[TensorIndex.Slice((long)box.Y1 - 2, (long)box.Y2 + 2), TensorIndex.Slice((long)box.X1 - 2, (long)box.X2 + 2)] = false;
            a.Images[i].masked_select(outside).eq(b.Images[i].masked_select(outside)).all().item<bool>().Should().BeTrue();
        }
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWithTheirName()
    {
        var act = () => SyntheticShapesDataset.Create(new SyntheticShapesOptions { NumClasses = 11 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*10 shape classes*").Which.ParamName.Should().Be("NumClasses");
        var small = () => SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 8 });
        small.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ImageSize");
    }

    [Fact]
    public void Render_OutOfRange_SaysWhichRange()
    {
        var train = (SyntheticShapesDataset)Create().Train;
        var act = () => train.Render(55, 10);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*has 60 images*[55, 65)*");
    }
}
