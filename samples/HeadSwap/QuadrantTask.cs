using TorchSharp;
using static TorchSharp.torch;

namespace HeadSwap;

/// <summary>
/// A toy task whose evidence has a known place: noise in <c>[0, 0.3)</c> with one bright square (a random colour in
/// <c>[0.5, 1)</c>, a quarter of the image's side) centred in one quadrant; the class is that quadrant.
/// </summary>
public static class QuadrantTask
{
    /// <summary>The classes, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["top-left", "top-right", "bottom-left", "bottom-right"];

    /// <summary>Random images <c>[count, 3, size, size]</c> in <c>[0, 1)</c> and their labels <c>[count]</c>, drawn from the global generator.</summary>
    public static (Tensor Images, Tensor Labels) Batch(int count, int size, Device device)
    {
        using var scope = NewDisposeScope();
        // Scalars owned here rather than left to the finalizer, which may free one while LibTorch still reads it.
        using Scalar noiseLevel = 0.3f, half = 0.5f, one = 1;
        var labels = randint(0, ClassNames.Count, [count], dtype: ScalarType.Int64);
        var noise = rand(count, 3, size, size).mul_(noiseLevel);
        var colours = rand(count, 3, 1, 1).mul_(half).add_(half, one);
        var square = size / 4;
        var inset = (size / 2 - square) / 2;
        var squares = Regions(labels, size, inset, inset + square).unsqueeze(1);
        var images = where(squares, colours.expand_as(noise), noise);
        return (images.to(device).MoveToOuterDisposeScope(), labels.to(device).MoveToOuterDisposeScope());
    }

    /// <summary>Each label's quadrant as a mask <c>[B, size, size]</c>: where the square of that class lies.</summary>
    public static Tensor Quadrants(Tensor labels, int size) => Regions(labels, size, 0, size / 2);

    // Pixels whose row and column, measured from the labelled quadrant's corner, lie in [from, to).
    private static Tensor Regions(Tensor labels, int size, int from, int to)
    {
        using var scope = NewDisposeScope();
        using Scalar two = 2, half = size / 2, start = from, end = to;
        var positions = arange(size, device: labels.device).view(1, -1);
        var top = labels.div(two, rounding_mode: RoundingMode.floor).mul(half).view(-1, 1);
        var left = labels.remainder(two).mul(half).view(-1, 1);
        var rows = positions.sub(top);
        var cols = positions.sub(left);
        var inRows = rows.ge(start).logical_and(rows.lt(end));
        var inCols = cols.ge(start).logical_and(cols.lt(end));
        return inRows.unsqueeze(2).logical_and(inCols.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
