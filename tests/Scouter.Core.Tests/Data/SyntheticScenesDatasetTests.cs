using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class SyntheticScenesDatasetTests
{
    private static SyntheticScenesDataset Train(int size = 64, int count = 60, int seed = 0, int numClasses = 10) =>
        (SyntheticScenesDataset)SyntheticScenesDataset.Create(new SyntheticShapesOptions { ImageSize = size, TrainCount = count, ValCount = 10, Seed = seed, NumClasses = numClasses }).Train;

    [Fact]
    public void Images_HoldTwoOrThreeShapesOfDifferentClasses_TheLabelledOneFirst()
    {
        var data = Train(count: 100);
        using var block = data.Render(0, 100);

        data.MaxShapes.Should().Be(3);
        block.ShapeMasks.shape.Should().Equal(100, 3, 64, 64);
        for (var i = 0; i < 100; i++)
        {
            var classes = block.ShapeClasses[i];
            classes.Count.Should().BeInRange(2, 3);
            classes.Should().OnlyHaveUniqueItems();
            classes[0].Should().Be(i % 10).And.Be(block.Labels[i]).And.Be(data.GetLabel(i));
            block.ShapeBoxes[i].Should().HaveCount(classes.Count);
            if (classes.Count == 2)
            {
                block.ShapeMasks[i, 2].any().item<bool>().Should().BeFalse("planes past an image's shapes are empty");
            }
        }

        block.ShapeClasses.Count(c => c.Count == 3).Should().BeInRange(30, 70, "two or three shapes, equally likely");
        block.Masks.eq(block.ShapeMasks.select(1, 0)).all().item<bool>().Should().BeTrue("Masks is the labelled shape's");
    }

    [Fact]
    public void EveryClass_AppearsAsADistractor()
    {
        // 500 images, 2.5 shapes on average: about 750 distractors spread over ten classes, about 75 each.
        var data = Train(size: 32, count: 500);
        using var block = data.Render(0, 500);
        var counts = block.ShapeClasses.SelectMany(c => c.Skip(1)).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        counts.Keys.Should().BeEquivalentTo(Enumerable.Range(0, 10));
        counts.Values.Should().OnlyContain(n => n > 40 && n < 115);
    }

    [Fact]
    public void WithTwoClasses_EveryImageHoldsBoth()
    {
        var data = Train(count: 20, numClasses: 2);
        using var block = data.Render(0, 20);
        data.MaxShapes.Should().Be(2);
        block.ShapeClasses.Should().OnlyContain(c => c.Count == 2 && c.Contains(0) && c.Contains(1));
    }

    [Theory]
    [InlineData(32, 40)]
    [InlineData(64, 60)]
    [InlineData(128, 30)]
    [InlineData(260, 8)]
    public void Shapes_LieInsideTheImage_ApartFromEachOther_TheLabelledOneLargest(int size, int count)
    {
        var data = Train(size, count);
        using var block = data.Render(0, count);
        var margin = Math.Max(2.0, 0.04 * size);
        for (var i = 0; i < count; i++)
        {
            var shapes = block.ShapeClasses[i].Count;
            using var masks = block.ShapeMasks[i].narrow(0, 0, shapes);
            using var areas = masks.sum([1L, 2L]);
            var area = areas.data<long>().ToArray();
            area[0].Should().BeGreaterThan(size * size / 60, $"image {i}: the labelled shape is clearly visible");
            area.Skip(1).Should().OnlyContain(a => a > 0 && area[0] > 1.2 * a, $"image {i}: the labelled shape is the largest in pixels too");

            using var border = masks.narrow(1, 0, 1).any().logical_or(masks.narrow(1, size - 1, 1).any())
                .logical_or(masks.narrow(2, 0, 1).any()).logical_or(masks.narrow(2, size - 1, 1).any());
            border.item<bool>().Should().BeFalse($"image {i}: shapes lie inside the image");

            for (var p = 0; p < shapes; p++)
            {
                for (var q = p + 1; q < shapes; q++)
                {
                    using var a = masks[p].nonzero().to(ScalarType.Float32);
                    using var b = masks[q].nonzero().to(ScalarType.Float32);
                    using var distance = cdist(a, b).min();
                    distance.item<float>().Should().BeGreaterThan((float)margin, $"image {i}: shapes {p} and {q} are apart");
                }
            }
        }
    }

    [Fact]
    public void Boxes_AreTheTightBoundsOfEachShapesMask()
    {
        var data = Train();
        using var block = data.Render(0, 20);
        for (var i = 0; i < 20; i++)
        {
            for (var k = 0; k < block.ShapeClasses[i].Count; k++)
            {
                using var mask = block.ShapeMasks[i, k];
                using var rows = mask.any(1).nonzero().flatten();
                using var cols = mask.any(0).nonzero().flatten();
                var expected = new BoundingBox(cols.min().item<long>(), rows.min().item<long>(), cols.max().item<long>() + 1, rows.max().item<long>() + 1);
                block.ShapeBoxes[i][k].Should().Be(expected, $"image {i}, shape {k}");
            }

            block.Boxes[i].Should().Be(block.ShapeBoxes[i][0]);
        }
    }

    [Fact]
    public void Masks_MarkPixelsOfTheirShapesOwnColour()
    {
        // Inside a shape (away from its antialiased edge) pixels are its flat colour plus noise (σ ≈ 10 levels), and
        // two shapes of one image have their own colours: each interior is uniform on its own.
        var data = Train(size: 128);
        using var block = data.Render(0, 10);
        var checkedShapes = 0;
        for (var i = 0; i < 10; i++)
        {
            using var image = block.Images[i].to(ScalarType.Float32).permute(1, 2, 0);
            for (var k = 0; k < block.ShapeClasses[i].Count; k++)
            {
                using var inside = block.ShapeMasks[i, k];
                using var eroded = inside.logical_and(inside.roll(1, 0)).logical_and(inside.roll(-1, 0)).logical_and(inside.roll(1, 1)).logical_and(inside.roll(-1, 1));
                if (eroded.sum().item<long>() < 10)
                {
                    continue;
                }

                using var values = image[eroded];
                values.std(0).max().item<float>().Should().BeLessThan(20f, $"image {i}, shape {k}");
                checkedShapes++;
            }
        }

        checkedShapes.Should().BeGreaterThan(20);
    }

    [Fact]
    public void Rendering_IsDeterministic_AndTheSameOneImageAtATime()
    {
        var a = Train(seed: 3);
        var b = Train(seed: 3);
        var other = Train(seed: 4);
        using var first = a.Render(0, 12);
        using var second = b.Render(0, 12);
        using var third = other.Render(0, 12);
        first.Images.eq(second.Images).all().item<bool>().Should().BeTrue();
        first.ShapeMasks.eq(second.ShapeMasks).all().item<bool>().Should().BeTrue();
        first.ShapeClasses.Should().BeEquivalentTo(second.ShapeClasses, o => o.WithStrictOrdering());
        first.Images.eq(third.Images).all().item<bool>().Should().BeFalse();

        using var annotated = a.ReadAnnotated(7);
        annotated.Image.eq(first.Images[7]).all().item<bool>().Should().BeTrue();
        annotated.Objects.Select(o => o.Class).Should().Equal(first.ShapeClasses[7]);
        annotated.Objects.Select(o => o.Box).Should().Equal(first.ShapeBoxes[7]);
        annotated.Masks!.eq(first.ShapeMasks[7].narrow(0, 0, first.ShapeClasses[7].Count)).all().item<bool>().Should().BeTrue();
        using var mask = a.ReadMask(7);
        mask.eq(first.Masks[7]).all().item<bool>().Should().BeTrue();
        a.GetBoxes(7).Should().Equal(first.ShapeBoxes[7][0]);
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWithTheirName()
    {
        var small = () => SyntheticScenesDataset.Create(new SyntheticShapesOptions { ImageSize = 24 });
        small.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 32 pixels*got ImageSize 24*").Which.ParamName.Should().Be("ImageSize");
        var many = () => SyntheticScenesDataset.Create(new SyntheticShapesOptions { NumClasses = 11 });
        many.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*10 shape classes*").Which.ParamName.Should().Be("NumClasses");
        var one = () => SyntheticScenesDataset.Create(new SyntheticShapesOptions { NumClasses = 1 });
        one.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("NumClasses");
        var empty = () => SyntheticScenesDataset.Create(new SyntheticShapesOptions { ValCount = 0 });
        empty.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 1*");
    }

    [Fact]
    public void Factory_CreatesItByName()
    {
        var data = DatasetFactory.Create(new DatasetOptions { Name = "syntheticscenes", ImageSize = 48, NumClasses = 5, SyntheticTrainCount = 10, SyntheticValCount = 4, Seed = 2 });
        data.Train.Should().BeOfType<SyntheticScenesDataset>();
        data.Val.Count.Should().Be(4);
        data.ClassNames.Should().Equal("Circle", "Square", "Triangle", "Cross", "Star");
        ((SyntheticScenesDataset)data.Train).ImageSize.Should().Be(48);
    }
}
