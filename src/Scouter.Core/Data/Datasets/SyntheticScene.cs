namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Every random choice behind one synthetic image, drawn from <c>SeededRandom.For(seed, split, index)</c> alone,
/// so an image is the same whether it is rendered by itself or in a batch. Lengths are in pixels, colours in [0, 1].
/// None of the choices depends on the label except which shape is drawn, so colour, position, size, background
/// and clutter carry no class information.
/// </summary>
internal sealed class SyntheticScene
{
    public const int CloudGrid = 5;
    // Stroke and blob slots always drawn, active or not, so the random stream never depends on how many are active.
    public const int MaxStrokes = 5;
    public const int MaxBlobs = 3;
    private const int ActiveStrokesMax = 3;
    private const int ActiveBlobsMax = 2;

    public int Label { get; private init; }

    public float CentreX { get; private init; }

    public float CentreY { get; private init; }

    public float Radius { get; private init; }

    public float Angle { get; private init; }

    public float[] ShapeColour { get; private init; } = [];

    public float[] BackgroundFrom { get; private init; } = [];

    public float[] BackgroundTo { get; private init; } = [];

    public float BackgroundAngle { get; private init; }

    /// <summary>Low-frequency colour noise, [3, CloudGrid, CloudGrid], upsampled over the image.</summary>
    public float[] Clouds { get; private init; } = [];

    /// <summary>Per stroke: x1, y1, x2, y2, half-thickness, r, g, b, active (0/1).</summary>
    public float[] Strokes { get; private init; } = [];

    /// <summary>Per blob: cx, cy, σu, σv, angle, opacity, r, g, b, active (0/1).</summary>
    public float[] Blobs { get; private init; } = [];

    public ulong NoiseSeed { get; private init; }

    public static SyntheticScene Draw(int seed, DatasetSplit split, int index, int imageSize, int numClasses)
    {
        var random = SeededRandom.For(seed, (int)split, index);
        float size = imageSize;
        float U(double a, double b) => (float)random.Uniform(a, b);
        float[] Colour() => [U(0, 1), U(0, 1), U(0, 1)];

        // Balanced classes: a random label per image would leave counts uneven in small sets.
        var label = index % numClasses;
        var radius = U(0.21, 0.31) * size;
        var centreX = U(radius + 1, size - radius - 1);
        var centreY = U(radius + 1, size - radius - 1);
        var angle = U(-20, 20) * MathF.PI / 180f;

        var from = Colour();
        var to = Colour();
        var backgroundAngle = U(0, 2 * Math.PI);
        var clouds = Enumerable.Range(0, 3 * CloudGrid * CloudGrid).Select(_ => U(-0.18, 0.18)).ToArray();

        // The shape's colour must stand out from the background around it: redraw until the mean channel
        // difference to the gradient's colour at the centre is at least 0.3 (the complement always is).
        var t = Gradient(centreX, centreY, backgroundAngle, size);
        var local = Enumerable.Range(0, 3).Select(c => from[c] + ((to[c] - from[c]) * t)).ToArray();
        var colour = Colour();
        for (var attempt = 0; attempt < 8 && Contrast(colour, local) < 0.3f; attempt++)
        {
            colour = Colour();
        }

        if (Contrast(colour, local) < 0.3f)
        {
            colour = local.Select(v => v < 0.5f ? 1f : 0f).ToArray();
        }

        var scale = size / 64f;
        var strokes = new float[MaxStrokes * 9];
        var strokeCount = random.Next(1, ActiveStrokesMax + 1);
        for (var k = 0; k < MaxStrokes; k++)
        {
            float[] stroke = [U(0, size), U(0, size), U(0, size), U(0, size), U(0.4, 1.0) * scale, U(0, 1), U(0, 1), U(0, 1), k < strokeCount ? 1 : 0];
            stroke.CopyTo(strokes, k * 9);
        }

        var blobs = new float[MaxBlobs * 10];
        var blobCount = random.Next(1, ActiveBlobsMax + 1);
        for (var k = 0; k < MaxBlobs; k++)
        {
            float[] blob = [U(0, size), U(0, size), U(0.05, 0.14) * size, U(0.05, 0.14) * size, U(0, Math.PI), U(0.4, 0.85), U(0, 1), U(0, 1), U(0, 1), k < blobCount ? 1 : 0];
            blob.CopyTo(blobs, k * 10);
        }

        return new SyntheticScene
        {
            Label = label,
            CentreX = centreX,
            CentreY = centreY,
            Radius = radius,
            Angle = angle,
            ShapeColour = colour,
            BackgroundFrom = from,
            BackgroundTo = to,
            BackgroundAngle = (float)backgroundAngle,
            Clouds = clouds,
            Strokes = strokes,
            Blobs = blobs,
            NoiseSeed = random.NextUInt64(),
        };
    }

    /// <summary>Position along the background gradient, 0 at one side of the image and 1 at the other.</summary>
    public static float Gradient(float x, float y, double angle, float size) =>
        (float)((((x - (size / 2)) * Math.Cos(angle)) + ((y - (size / 2)) * Math.Sin(angle))) / (size * Math.Sqrt(2)) + 0.5);

    private static float Contrast(float[] a, float[] b) => (Math.Abs(a[0] - b[0]) + Math.Abs(a[1] - b[1]) + Math.Abs(a[2] - b[2])) / 3f;
}
