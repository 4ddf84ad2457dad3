namespace Scouter.Core.Data.Datasets;

/// <summary>
/// One shape of a synthetic image: which class, where, how large and how rotated, in what colour. Lengths are in
/// pixels, the angle in radians, the colour in [0, 1]. Every shape is drawn in a frame scaled by its radius, so the
/// radius is its size.
/// </summary>
/// <param name="Shape">The class.</param>
/// <param name="CentreX">Centre, x.</param>
/// <param name="CentreY">Centre, y.</param>
/// <param name="Radius">Scale of the shape's frame.</param>
/// <param name="Angle">Rotation.</param>
/// <param name="Colour">RGB.</param>
internal sealed record SceneShape(SyntheticShape Shape, float CentreX, float CentreY, float Radius, float Angle, float[] Colour)
{
    /// <summary>
    /// How far any shape reaches from its centre, in radii: the corners of the T (1.245) and the L (1.203) lie outside
    /// the unit circle that the other shapes fit.
    /// </summary>
    public const float Extent = 1.25f;

    /// <summary>
    /// Half the side of the square around the centre that the renderer draws, in pixels: by default the whole shape
    /// and its antialiased rim.
    /// </summary>
    public float Reach { get; init; } = (Extent * Radius) + 2;
}
