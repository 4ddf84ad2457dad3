using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class ClassRegionsTests
{
    private static Tensor Pixels(long height, long width, params (int Row, int Col)[] on)
    {
        var mask = zeros(height, width, dtype: ScalarType.Bool);
        foreach (var (row, col) in on)
        {
            mask[row, col] = tensor(true);
        }

        return mask;
    }

    private static (int, int)[] OnPixels(Tensor mask) =>
        mask.nonzero().data<long>().ToArray().Chunk(2).Select(p => ((int)p[0], (int)p[1])).ToArray();

    [Fact]
    public void FromObjects_MergesTheObjectsOfOneClass_IgnoresPadding_SortsByImageThenClass()
    {
        // 2 images × 3 planes of 2×3 pixels. Image 0: class 2 at (0, 0), class 0 at (1, 2), class 2 again at (0, 1).
        // Image 1: class 1 at (1, 0) and (1, 1); two padding planes (class −1), one of them not empty, which must not count.
        // Pairs: (0, 0) → {(1, 2)}; (0, 2) → {(0, 0), (0, 1)}; (1, 1) → {(1, 0), (1, 1)}.
        using var masks = stack([
            stack([Pixels(2, 3, (0, 0)), Pixels(2, 3, (1, 2)), Pixels(2, 3, (0, 1))]),
            stack([Pixels(2, 3, (1, 0), (1, 1)), Pixels(2, 3, (0, 0)), Pixels(2, 3)]),
        ]);
        using var classes = tensor(new long[] { 2, 0, 2, 1, -1, -1 }).view(2, 3);

        using var regions = ClassRegions.FromObjects(masks, classes);

        regions.Count.Should().Be(3);
        regions.ImageIndices.data<long>().ToArray().Should().Equal(0, 0, 1);
        regions.Classes.data<long>().ToArray().Should().Equal(0, 2, 1);
        OnPixels(regions.Masks[0]).Should().Equal((1, 2));
        OnPixels(regions.Masks[1]).Should().Equal((0, 0), (0, 1));
        OnPixels(regions.Masks[2]).Should().Equal((1, 0), (1, 1));
    }

    [Fact]
    public void FromBoxes_TakesTheUnionOfEachClassesBoxes_ByPixelCentres()
    {
        // One 2×3 image, two boxes of class 3: (0, 0)–(2, 1) holds the centres (0.5, 0.5) and (1.5, 0.5), i.e. pixels
        // (0, 0) and (0, 1); (1, 1)–(3, 2) holds (1.5, 1.5) and (2.5, 1.5), i.e. (1, 1) and (1, 2). A padding row (−1) adds nothing.
        using var boxes = tensor(new float[] { 0, 0, 2, 1, 1, 1, 3, 2, 0, 0, 3, 2 }).view(1, 3, 4);
        using var classes = tensor(new long[] { 3, 3, -1 }).view(1, 3);

        using var regions = ClassRegions.FromBoxes(boxes, classes, 2, 3);

        regions.Classes.data<long>().ToArray().Should().Equal(3);
        regions.ImageIndices.data<long>().ToArray().Should().Equal(0);
        OnPixels(regions.Masks[0]).Should().Equal((0, 0), (0, 1), (1, 1), (1, 2));
    }

    [Fact]
    public void FromObjects_WithoutObjects_GivesNoPairs()
    {
        using var masks = ones(2, 1, 4, 5, dtype: ScalarType.Bool);
        using var classes = tensor(new long[] { -1, -1 }).view(2, 1);
        using var regions = ClassRegions.FromObjects(masks, classes);
        regions.Count.Should().Be(0);
        regions.Masks.shape.Should().Equal(0, 4, 5);
    }

    [Fact]
    public void Factories_LeaveNoTensorBehind()
    {
        using var masks = rand(2, 3, 4, 5).gt(0.5);
        using var classes = tensor(new long[] { 0, 1, -1, 2, 2, 1 }).view(2, 3);
        ClassRegions.FromObjects(masks, classes).Dispose();

        var before = LiveTensors.Count();
        ClassRegions.FromObjects(masks, classes).Dispose();
        using (var scope = NewDisposeScope())
        {
            ClassRegions.FromObjects(masks, classes).Dispose();
        }

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Constructor_RejectsRepeatedPairsAndMismatchedShapes()
    {
        using var images = tensor(new long[] { 0, 0 });
        using var classes = tensor(new long[] { 1, 1 });
        using var masks = zeros(2, 3, 3, dtype: ScalarType.Bool);
        var repeated = () => new ClassRegions(images, classes, masks);
        repeated.Should().Throw<ArgumentException>().WithMessage("*each (image, class) pair once*1 of 2 pairs repeat*");

        using var fewer = zeros(1, 3, 3, dtype: ScalarType.Bool);
        var mismatched = () => new ClassRegions(images, tensor(new long[] { 1, 2 }), fewer);
        mismatched.Should().Throw<ArgumentException>().WithMessage("*one P*[1, 3, 3] Bool*");

        var floats = () => new ClassRegions(images, tensor(new float[] { 1, 2 }), masks);
        floats.Should().Throw<ArgumentException>().WithMessage("*classes [P] int64*Float32*");

        var negative = () => new ClassRegions(tensor(new long[] { 0, -1 }), tensor(new long[] { 1, 2 }), masks);
        negative.Should().Throw<ArgumentException>().WithMessage("*≥ 0*");

        using var objectMasks = zeros(2, 3, 4, 4, dtype: ScalarType.Bool);
        var perPlane = () => ClassRegions.FromObjects(objectMasks, zeros(2, 2, dtype: ScalarType.Int64));
        perPlane.Should().Throw<ArgumentException>().WithMessage("*one class per object plane [B = 2, K = 3]*");
    }
}
