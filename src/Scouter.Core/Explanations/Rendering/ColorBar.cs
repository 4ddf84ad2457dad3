using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>The key to a colour scale: a vertical bar of a colormap's colours, the hot end (value 1) at the top.</summary>
public static class ColorBar
{
    /// <summary>
    /// Draws the bar. Row <c>y</c> (0 at the top) shows the value <c>v = (height − 1 − y) / (height − 1)</c> in the colour
    /// <see cref="Colormap.Apply"/> gives it (table entry <c>⌊255·v⌋</c>): entry 255 in the top row, entry 0 in the bottom one.
    /// </summary>
    /// <param name="colormap">The colours.</param>
    /// <param name="height">Height in pixels (at least 2).</param>
    /// <param name="width">Width in pixels (at least 1).</param>
    /// <returns>uint8 RGB image <c>[3, height, width]</c>.</returns>
    public static Tensor Draw(Colormap colormap, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(colormap);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        // ⌊255·(h − 1 − y) / (h − 1)⌋ in integers, so the ends are exactly 255 and 0.
        var fromBottom = scalars.Range(height, ScalarType.Int64).flip(0);
        var index = fromBottom.mul(scalars.Of(255)).div(scalars.Of(height - 1), rounding_mode: RoundingMode.floor).to(ScalarType.Byte);
        return colormap.Apply(index.view(height, 1).expand(height, width)).MoveToOuterDisposeScope();
    }
}
