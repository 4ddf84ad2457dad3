namespace Scouter.Core.Data.Datasets;

/// <summary>
/// An axis-aligned box in pixel coordinates of one image: left <see cref="X1"/>, top <see cref="Y1"/>, right
/// <see cref="X2"/>, bottom <see cref="Y2"/>, with the origin at the top-left corner of the top-left pixel.
/// </summary>
/// <remarks>
/// Data sets return boxes in the coordinates of the ORIGINAL image, as their annotation files give them (CUB's
/// <c>x y width height</c> becomes <c>x, y, x + width, y + height</c>; ImageNet's <c>x1 y1 x2 y2</c> is kept as is).
/// <see cref="Scale"/> maps a box to a resized image.
/// </remarks>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
public readonly record struct BoundingBox(double X1, double Y1, double X2, double Y2)
{
    /// <summary>Width <c>X2 − X1</c>.</summary>
    public double Width => X2 - X1;

    /// <summary>Height <c>Y2 − Y1</c>.</summary>
    public double Height => Y2 - Y1;

    /// <summary>Maps the box from an image of <paramref name="fromWidth"/>×<paramref name="fromHeight"/> to one resized to <paramref name="toWidth"/>×<paramref name="toHeight"/>.</summary>
    /// <param name="fromWidth">Width of the image the box belongs to.</param>
    /// <param name="fromHeight">Height of the image the box belongs to.</param>
    /// <param name="toWidth">Width of the resized image.</param>
    /// <param name="toHeight">Height of the resized image.</param>
    public BoundingBox Scale(long fromWidth, long fromHeight, long toWidth, long toHeight)
    {
        if (fromWidth <= 0 || fromHeight <= 0 || toWidth <= 0 || toHeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fromWidth), $"Image sizes must be positive; got {fromWidth}×{fromHeight} → {toWidth}×{toHeight}.");
        }

        double sx = (double)toWidth / fromWidth, sy = (double)toHeight / fromHeight;
        return new BoundingBox(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);
    }

    /// <inheritdoc />
    public override string ToString() => $"({X1:0.##}, {Y1:0.##}, {X2:0.##}, {Y2:0.##})";
}
