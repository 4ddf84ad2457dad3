namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Every random choice behind one synthetic image, drawn from <c>SeededRandom.For(seed, split, index)</c> alone,
/// so an image is the same whether it is rendered by itself or in a batch. Lengths are in pixels, colours in [0, 1].
/// None of the choices depends on the label except which shapes are drawn, so colour, position, size, background
/// and clutter carry no class information. The first shape is the labelled one.
/// </summary>
internal sealed class SyntheticScene
{
    public const int CloudGrid = 5;
    // Stroke and blob slots always drawn, active or not, so the random stream never depends on how many are active.
    public const int MaxStrokes = 5;
    public const int MaxBlobs = 3;
    private const int ActiveStrokesMax = 3;
    private const int ActiveBlobsMax = 2;

    /// <summary>The class of the labelled shape, the first of <see cref="Shapes"/>.</summary>
    public int Label => (int)Shapes[0].Shape;

    /// <summary>The shapes, the labelled one first.</summary>
    public IReadOnlyList<SceneShape> Shapes { get; private init; } = [];

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

    /// <summary>A scene of <see cref="SyntheticShapesDataset"/>: one shape of class <c>index mod numClasses</c>.</summary>
    public static SyntheticScene Draw(int seed, DatasetSplit split, int index, int imageSize, int numClasses)
    {
        var random = SeededRandom.For(seed, (int)split, index);
        float size = imageSize;

        // Balanced classes: a random label per image would leave counts uneven in small sets.
        var label = index % numClasses;
        var radius = Uniform(random, 0.21, 0.31) * size;
        var centreX = Uniform(random, radius + 1, size - radius - 1);
        var centreY = Uniform(random, radius + 1, size - radius - 1);
        var angle = RandomAngle(random);
        // Drawn within radius + 2 pixels, as the set's published images were. A rotated T or L reaches 1.25 radii:
        // that bound trims the antialiased rim of its far corners, and at 128 px and up the corners themselves.
        return Complete(random, size, [new SceneShape((SyntheticShape)label, centreX, centreY, radius, angle, []) { Reach = radius + 2 }]);
    }

    /// <summary>A scene of <see cref="SyntheticScenesDataset"/>: two or three shapes, the largest of class <c>index mod numClasses</c>.</summary>
    public static SyntheticScene DrawScene(int seed, DatasetSplit split, int index, int imageSize, int numClasses)
    {
        var random = SeededRandom.For(seed, (int)split, index);
        return Complete(random, imageSize, SceneLayout.Draw(random, index % numClasses, imageSize, numClasses));
    }

    /// <summary>A rotation in [−20°, 20°]: wider, and a square could become a diamond or a plus an ×.</summary>
    public static float RandomAngle(SeededRandom random) => Uniform(random, -20, 20) * MathF.PI / 180f;

    public static float Uniform(SeededRandom random, double low, double high) => (float)random.Uniform(low, high);

    /// <summary>Position along the background gradient, 0 at one side of the image and 1 at the other.</summary>
    public static float Gradient(float x, float y, double angle, float size) =>
        (float)((((x - (size / 2)) * Math.Cos(angle)) + ((y - (size / 2)) * Math.Sin(angle))) / (size * Math.Sqrt(2)) + 0.5);

    // Everything after the shapes' geometry, in one order for both data sets: background, each shape's colour,
    // clutter, the noise seed.
    private static SyntheticScene Complete(SeededRandom random, float size, IReadOnlyList<SceneShape> geometry)
    {
        float U(double a, double b) => Uniform(random, a, b);
        float[] Colour() => [U(0, 1), U(0, 1), U(0, 1)];

        var from = Colour();
        var to = Colour();
        var backgroundAngle = U(0, 2 * Math.PI);
        var clouds = Enumerable.Range(0, 3 * CloudGrid * CloudGrid).Select(_ => U(-0.18, 0.18)).ToArray();

        var shapes = new SceneShape[geometry.Count];
        for (var k = 0; k < shapes.Length; k++)
        {
            // A shape's colour must stand out from the background around it: redraw until the mean channel
            // difference to the gradient's colour at its centre is at least 0.3 (the complement always is).
            var t = Gradient(geometry[k].CentreX, geometry[k].CentreY, backgroundAngle, size);
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

            shapes[k] = geometry[k] with { Colour = colour };
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
            Shapes = shapes,
            BackgroundFrom = from,
            BackgroundTo = to,
            BackgroundAngle = (float)backgroundAngle,
            Clouds = clouds,
            Strokes = strokes,
            Blobs = blobs,
            NoiseSeed = random.NextUInt64(),
        };
    }

    private static float Contrast(float[] a, float[] b) => (Math.Abs(a[0] - b[0]) + Math.Abs(a[1] - b[1]) + Math.Abs(a[2] - b[2])) / 3f;
}
