namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Where things are on a <see cref="PanelRenderer"/> panel, in pixels: a header line at the top; then a grid with the
/// image in the first column and one column per shown class, one row per <see cref="PanelStyle"/>, each tile with a
/// caption below it; the colour bar to the right of the first row.
/// </summary>
public sealed class PanelLayout
{
    /// <summary>Space between and around tiles.</summary>
    public const int Padding = 6;

    /// <summary>Height of the header line (title, label, prediction).</summary>
    public const int HeaderHeight = 22;

    /// <summary>Height of the caption under each tile (class name, probability).</summary>
    public const int CaptionHeight = 30;

    /// <summary>Width of the colour bar.</summary>
    public const int ColorBarWidth = 14;

    /// <summary>Width of the colour bar's tick labels.</summary>
    public const int TickWidth = 30;

    internal PanelLayout(int tileHeight, int tileWidth, int rows, int columns)
    {
        TileHeight = tileHeight;
        TileWidth = tileWidth;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Height of a tile.</summary>
    public int TileHeight { get; }

    /// <summary>Width of a tile.</summary>
    public int TileWidth { get; }

    /// <summary>Rows of tiles: one per style.</summary>
    public int Rows { get; }

    /// <summary>Columns of tiles: the image's, then one per shown class.</summary>
    public int Columns { get; }

    /// <summary>Width of the grid of tiles, padding included.</summary>
    public int GridWidth => Columns * TileWidth + (Columns + 1) * Padding;

    /// <summary>Height of the grid of tiles, captions and padding included.</summary>
    public int GridHeight => Rows * (TileHeight + CaptionHeight) + (Rows + 1) * Padding;

    /// <summary>Width of the panel.</summary>
    public int Width => GridWidth + ColorBarWidth + TickWidth + Padding;

    /// <summary>Height of the panel.</summary>
    public int Height => HeaderHeight + GridHeight;

    /// <summary>The top-left pixel of the colour bar, level with the first row's tiles and as tall as they are.</summary>
    public (int Y, int X) ColorBarOrigin => (HeaderHeight + Padding, GridWidth);

    /// <summary>The top-left pixel of a tile.</summary>
    /// <param name="row">Row (style), from 0.</param>
    /// <param name="column">Column: 0 the image, <c>j + 1</c> the <c>j</c>-th shown class.</param>
    public (int Y, int X) TileOrigin(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        return (HeaderHeight + Padding + row * (TileHeight + CaptionHeight + Padding), Padding + column * (TileWidth + Padding));
    }
}
