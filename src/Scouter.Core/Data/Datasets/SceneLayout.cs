// The geometry of a SyntheticScenesDataset image: which classes, how large, where. The labelled shape is clearly the
// largest, so the rule "the label is the largest shape" can be seen; the others are drawn from the remaining classes
// uniformly, so every class also appears as a distractor and knowing which classes are present is not enough.
namespace Scouter.Core.Data.Datasets;

internal static class SceneLayout
{
    /// <summary>Most shapes in one image.</summary>
    public const int MaxShapes = 3;

    /// <summary>Radius range of the labelled shape, as a share of the image side.</summary>
    public const float LargestMin = 0.18f;

    /// <summary>Upper end of the labelled shape's radius range.</summary>
    public const float LargestMax = 0.23f;

    /// <summary>Smallest radius of the other shapes, as a share of the image side.</summary>
    public const float SmallestMin = 0.09f;

    /// <summary>
    /// Every other shape's radius is at most the labelled one's divided by this. Shapes of one radius differ in area
    /// up to 2.4 times (a disc against the slim diamond); 1.75² = 3.06 keeps the labelled shape the largest in pixels
    /// too, whatever the classes.
    /// </summary>
    public const float SizeRatio = 1.75f;

    /// <summary>Gap between two shapes' extents, as a share of the image side (at least 2 pixels).</summary>
    public const float MarginShare = 0.04f;

    private const int TriesPerShape = 30;
    private const int AttemptsPerScale = 20;

    public static IReadOnlyList<SceneShape> Draw(SeededRandom random, int label, int imageSize, int numClasses)
    {
        float size = imageSize;
        var count = random.Next(2, Math.Min(MaxShapes, numClasses) + 1);

        // A uniform choice of count − 1 distinct other classes (a partial Fisher–Yates shuffle).
        var others = Enumerable.Range(0, numClasses).Where(c => c != label).ToArray();
        for (var k = 0; k < count - 1; k++)
        {
            var j = random.Next(k, others.Length);
            (others[k], others[j]) = (others[j], others[k]);
        }

        var classes = others.Take(count - 1).Prepend(label).ToArray();
        var radii = new float[count];
        radii[0] = SyntheticScene.Uniform(random, LargestMin, LargestMax) * size;
        for (var k = 1; k < count; k++)
        {
            radii[k] = SyntheticScene.Uniform(random, SmallestMin * size, radii[0] / SizeRatio);
        }

        var angles = classes.Select(_ => SyntheticScene.RandomAngle(random)).ToArray();

        // Placement by rejection draws a varying number of values, so it has a generator of its own: the rest of the
        // scene does not depend on how many tries it took.
        var (centres, scale) = Place(new SeededRandom(random.NextUInt64()), radii, size);
        return Enumerable.Range(0, count)
            .Select(k => new SceneShape((SyntheticShape)classes[k], centres[k].X, centres[k].Y, radii[k] * scale, angles[k], []))
            .ToArray();
    }

    /// <summary>
    /// Centres such that every shape lies inside the image (its extent plus one pixel of antialiased rim) and any two
    /// shapes' extents are at least the margin apart. Each shape, largest first, gets a number of random tries; when
    /// one finds no room, the layout starts again, and every so many restarts all radii shrink by 5% (their ratios,
    /// and so the rule, unchanged), so the search always ends.
    /// </summary>
    private static ((float X, float Y)[] Centres, float Scale) Place(SeededRandom random, float[] radii, float size)
    {
        var margin = MathF.Max(2f, MarginShare * size);
        var scale = 1f;
        var centres = new (float X, float Y)[radii.Length];
        for (var attempt = 1; ; attempt++)
        {
            var placed = 0;
            for (var tries = 0; placed < radii.Length && tries < TriesPerShape; tries++)
            {
                var reach = (SceneShape.Extent * radii[placed] * scale) + 1;
                var x = SyntheticScene.Uniform(random, reach, size - reach);
                var y = SyntheticScene.Uniform(random, reach, size - reach);
                var free = true;
                for (var j = 0; j < placed && free; j++)
                {
                    var gap = (SceneShape.Extent * (radii[placed] + radii[j]) * scale) + margin;
                    free = ((x - centres[j].X) * (x - centres[j].X)) + ((y - centres[j].Y) * (y - centres[j].Y)) >= gap * gap;
                }

                if (free)
                {
                    centres[placed++] = (x, y);
                    tries = -1;
                }
            }

            if (placed == radii.Length)
            {
                return (centres, scale);
            }

            if (attempt % AttemptsPerScale == 0)
            {
                scale *= 0.95f;
            }
        }
    }
}
