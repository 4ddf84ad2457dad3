using TorchSharp;
using static TorchSharp.torch;

namespace HeadSwap;

/// <summary>
/// A toy task whose evidence has a known place: noise in <c>[0, 0.3)</c> with one bright square (a random colour in
/// <c>[0.5, 1)</c>, a quarter of the image's side) centred in one quadrant; the class is that quadrant. A fifth class,
/// <c>none</c>, has no square.
/// </summary>
/// <remarks>
/// Without the fifth class, "the square is in none of the other three quadrants" identifies a class as well as its own
/// square does, and one class's slot learns that instead: its map then lies anywhere (samples/HeadSwap/README.md).
/// </remarks>
public static class QuadrantTask
{
    /// <summary>The classes, in label order: the four quadrants, then <c>none</c>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["top-left", "top-right", "bottom-left", "bottom-right", "none"];

    /// <summary>The label of the images without a square.</summary>
    public const int None = 4;

    /// <summary>Random images <c>[count, 3, size, size]</c> in <c>[0, 1)</c> and their labels <c>[count]</c>, drawn from the global generator.</summary>
    public static (Tensor Images, Tensor Labels) Batch(int count, int size, Device device)
    {
        using var scope = NewDisposeScope();
        // Scalars owned here rather than left to the finalizer, which may free one while LibTorch still reads it.
        using Scalar noiseLevel = 0.3f, half = 0.5f, one = 1;
        var labels = randint(0, ClassNames.Count, [count], dtype: ScalarType.Int64);
        var noise = rand(count, 3, size, size).mul_(noiseLevel);
        var colours = rand(count, 3, 1, 1).mul_(half).add_(half, one);
        var squares = Squares(labels, size).unsqueeze(1);
        var images = where(squares, colours.expand_as(noise), noise);
        return (images.to(device).MoveToOuterDisposeScope(), labels.to(device).MoveToOuterDisposeScope());
    }

    /// <summary>Each label's quadrant as a mask <c>[B, size, size]</c>: where the square of that class lies (nowhere for <see cref="None"/>).</summary>
    public static Tensor Quadrants(Tensor labels, int size) => Regions(labels, size, 0, size / 2);

    /// <summary>Each label's square as a mask <c>[B, size, size]</c>: the pixels <see cref="Batch"/> paints (none for <see cref="None"/>).</summary>
    public static Tensor Squares(Tensor labels, int size)
    {
        var square = size / 4;
        var inset = (size / 2 - square) / 2;
        return Regions(labels, size, inset, inset + square);
    }

    // Pixels whose row and column, measured from the labelled quadrant's corner, lie in [from, to). Label None's corner
    // is (size, 0), below the image, so it has no pixels.
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
