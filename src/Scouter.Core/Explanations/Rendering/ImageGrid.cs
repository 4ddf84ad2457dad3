using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>Lays tiles out in a grid, e.g. images down the rows and their class overlays across the columns.</summary>
public static class ImageGrid
{
    /// <summary>
    /// Composes tiles <c>[R, C, ch, H, W]</c> into one image <c>[ch, R·H + (R+1)·p, C·W + (C+1)·p]</c> with a border of
    /// <paramref name="padding"/> pixels around and between tiles.
    /// </summary>
    /// <param name="tiles">uint8 tiles <c>[rows, columns, channels, H, W]</c>.</param>
    /// <param name="padding">Border width in pixels (≥ 0, default 2).</param>
    /// <param name="background">Border colour (default 255, white).</param>
    /// <returns>uint8 image <c>[channels, height, width]</c>.</returns>
    public static Tensor Compose(Tensor tiles, int padding = 2, byte background = 255)
    {
        TensorChecks.Rank(tiles, 5, nameof(ImageGrid), "tiles [rows, columns, channels, H, W]", nameof(tiles));
        if (tiles.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"{nameof(ImageGrid)} expects uint8 tiles; got {TensorChecks.Describe(tiles)}.", nameof(tiles));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        using var scope = NewDisposeScope();
        long rows = tiles.shape[0], cols = tiles.shape[1], ch = tiles.shape[2], h = tiles.shape[3], w = tiles.shape[4];
        var padded = nn.functional.pad(tiles.reshape(rows * cols, ch, h, w), [padding, 0, padding, 0], PaddingModes.Constant, background);
        var laid = padded.view(rows, cols, ch, h + padding, w + padding).permute(2, 0, 3, 1, 4).reshape(ch, rows * (h + padding), cols * (w + padding));
        return nn.functional.pad(laid.unsqueeze(0), [0, padding, 0, padding], PaddingModes.Constant, background).squeeze(0).contiguous().MoveToOuterDisposeScope();
    }
}
