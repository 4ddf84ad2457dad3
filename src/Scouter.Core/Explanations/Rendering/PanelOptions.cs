using Scouter.Core.Options;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>How <see cref="PanelRenderer"/> draws a panel. The defaults: the three most likely classes, a colour-scale row and a contour row.</summary>
public sealed record PanelOptions
{
    /// <summary>The default contour levels.</summary>
    public static readonly IReadOnlyList<double> DefaultContourLevels = [0.25, 0.5, 0.75];

    /// <summary>
    /// Classes shown per image (default 3; fewer when the model has fewer), chosen from the scores by
    /// <see cref="Polarity"/>: the most likely for SCOUTER+, the least likely for SCOUTER−.
    /// </summary>
    public int TopK { get; init; } = 3;

    /// <summary>The rows of the panel, one style each, top to bottom (default: <see cref="PanelStyle.ColorScale"/>, then <see cref="PanelStyle.Contours"/>).</summary>
    public IReadOnlyList<PanelStyle> Styles { get; init; } = [PanelStyle.ColorScale, PanelStyle.Contours];

    /// <summary>The colour scale of every row and of the colour bar (default: matplotlib's jet, the official colours).</summary>
    public Colormap Colormap { get; init; } = Colormap.MatplotlibJet;

    /// <summary>
    /// How maps are brought to <c>[0, 1]</c> (default <see cref="MapNormalization.Joint"/>, as the official visualisation:
    /// 1 is the strongest evidence for any class in the image, so the classes' maps can be compared).
    /// </summary>
    public MapNormalization Normalization { get; init; } = MapNormalization.Joint;

    /// <summary>The levels <see cref="PanelStyle.Contours"/> outlines, in <c>(0, 1]</c> (default 0.25, 0.5 and 0.75).</summary>
    public IReadOnlyList<double> ContourLevels { get; init; } = DefaultContourLevels;

    /// <summary>
    /// The side, in pixels, tiles are enlarged towards (default 128): an image is enlarged by the largest whole factor
    /// that keeps its longer side within this, at least 1, by pixel replication. Maps are drawn at the tile's size.
    /// </summary>
    public int TileSize { get; init; } = 128;

    /// <summary>Class names by index (null: <c>class 3</c>).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>What the maps mean: "why" (positive) or "why not" (negative, SCOUTER−). Chooses the classes and words the captions.</summary>
    public ScouterPolarity Polarity { get; init; } = ScouterPolarity.Positive;
}
