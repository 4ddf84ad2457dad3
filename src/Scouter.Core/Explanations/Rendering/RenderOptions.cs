using Scouter.Core.Options;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>How <see cref="ExplanationRenderer"/> draws explanations. The defaults reproduce the official visualisation.</summary>
public sealed record RenderOptions
{
    /// <summary>Colours of the heatmaps (default: matplotlib's jet, as the official code).</summary>
    public Colormap Colormap { get; init; } = Colormap.MatplotlibJet;

    /// <summary>Opacity of the heatmap over the image (default 0.4, as the official code).</summary>
    public double Alpha { get; init; } = HeatmapOverlay.OfficialAlpha;

    /// <summary>How maps are normalised (default <see cref="MapNormalization.Joint"/>, as the official SCOUTER visualisation).</summary>
    public MapNormalization Normalization { get; init; } = MapNormalization.Joint;

    /// <summary>The official <c>--grad_min_level</c> floor applied after normalisation (default 0: none).</summary>
    public double GradMinLevel { get; init; }

    /// <summary>
    /// Classes drawn per image, chosen from the scores by <see cref="Polarity"/> (most likely for SCOUTER+, least likely
    /// for SCOUTER−); null draws every class in index order.
    /// </summary>
    public int? TopK { get; init; }

    /// <summary>What the maps mean: "why" (positive) or "why not" (negative, SCOUTER−). Used for class choice and file names.</summary>
    public ScouterPolarity Polarity { get; init; } = ScouterPolarity.Positive;
}
