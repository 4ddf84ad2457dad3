using SkiaSharp;

namespace OnnxExplain;

/// <summary>
/// Draws explanations as <c>scouter explain</c> does: each class's map (normalised jointly, upsampled) as 8-bit
/// <c>⌊255·v⌋</c> through matplotlib's jet colormap, composited over the image with opacity 0.4, plus a labelled panel.
/// </summary>
internal static class Panels
{
    private const int Alpha = 102; // ⌊0.4 · 255⌋, the official overlay's opacity
    private static readonly byte[] Jet = JetTable();

    /// <summary>The overlay of one class's map <c>[H·W]</c> in <c>[0, 1]</c> over <paramref name="picture"/>.</summary>
    public static SKBitmap Overlay(SKBitmap picture, ReadOnlySpan<float> map)
    {
        var overlay = new SKBitmap(picture.Width, picture.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var source = picture.Pixels;
        var colours = new SKColor[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            var index = (int)(Math.Clamp(map[i], 0f, 1f) * 255) * 3;
            var p = source[i];
            colours[i] = new SKColor(Blend(Jet[index], p.Red), Blend(Jet[index + 1], p.Green), Blend(Jet[index + 2], p.Blue));
        }

        overlay.Pixels = colours;
        return overlay;
    }

    /// <summary>The image and every class's overlay side by side, each captioned with its class name and probability.</summary>
    public static SKBitmap Panel(SKBitmap picture, IReadOnlyList<SKBitmap> overlays, IReadOnlyList<string> captions, string title)
    {
        const int pad = 6, caption = 16;
        int cell = Math.Max(picture.Width, 120), height = Math.Max(picture.Height, 120);
        var columns = Math.Min(overlays.Count + 1, 6);
        var rows = (overlays.Count + columns) / columns;
        var panel = new SKBitmap(columns * (cell + pad) + pad, caption + rows * (height + caption + pad) + pad);
        using var canvas = new SKCanvas(panel);
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, TextSize = 12, IsAntialias = true };
        canvas.DrawText(title, pad, 13, text);
        for (var k = 0; k <= overlays.Count; k++)
        {
            var x = pad + k % columns * (cell + pad);
            var y = caption + k / columns * (height + caption + pad);
            var image = k == 0 ? picture : overlays[k - 1];
            canvas.DrawBitmap(image, SKRect.Create(x, y, cell, height));
            canvas.DrawText(k == 0 ? "input" : captions[k - 1], x, y + height + 12, text);
        }

        return panel;
    }

    public static void Save(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    // Pillow's alpha_composite of an opaque image under a colour with alpha a: round((a·heat + (255 − a)·image) / 255).
    private static byte Blend(byte heat, byte image) => (byte)((Alpha * heat + (255 - Alpha) * image + 127) / 255);

    // matplotlib's 'jet' (its segment data), sampled at 256 points and truncated to 8 bits.
    private static byte[] JetTable()
    {
        double[][][] segments =
        [
            [[0.00, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1.00, 0.5]],
            [[0.000, 0], [0.125, 0], [0.375, 1], [0.640, 1], [0.910, 0], [1.000, 0]],
            [[0.00, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1.00, 0]],
        ];
        var table = new byte[256 * 3];
        for (var i = 0; i < 256; i++)
        {
            var x = i / 255.0;
            for (var c = 0; c < 3; c++)
            {
                var points = segments[c];
                var j = Math.Max(1, Array.FindIndex(points, p => p[0] >= x));
                var (x0, y0, x1, y1) = (points[j - 1][0], points[j - 1][1], points[j][0], points[j][1]);
                table[i * 3 + c] = (byte)((y0 + (y1 - y0) * (x - x0) / (x1 - x0)) * 255);
            }
        }

        return table;
    }
}
