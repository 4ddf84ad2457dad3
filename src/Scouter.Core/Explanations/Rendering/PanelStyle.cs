namespace Scouter.Core.Explanations.Rendering;

/// <summary>How a row of a <see cref="PanelRenderer"/> panel draws each class's map.</summary>
public enum PanelStyle
{
    /// <summary>The map alone, opaque, on the colour scale (explained by the panel's colour bar): every value readable.</summary>
    ColorScale,

    /// <summary>The image in grey with the map's contour lines at <see cref="PanelOptions.ContourLevels"/>: where on the image the map is high.</summary>
    Contours,

    /// <summary>The official SCOUTER overlay (heatmap at opacity 0.4 over the image), byte for byte, enlarged by pixel replication.</summary>
    Official,
}
