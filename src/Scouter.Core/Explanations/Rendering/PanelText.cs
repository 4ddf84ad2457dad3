using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Text on panels, drawn with SkiaSharp (TorchVision's image library, already a dependency) in an installed sans-serif
/// font. Where no font is installed (some containers), <see cref="Available"/> is false and panels carry no text.
/// </summary>
internal static class PanelText
{
    private static readonly Lazy<SKTypeface?> Typeface = new(FindTypeface);

    /// <summary>Whether a font was found to draw with.</summary>
    public static bool Available => Typeface.Value is not null;

    /// <summary>Draws the labels in black onto a copy of <paramref name="image"/>; without a font, returns an unchanged copy.</summary>
    /// <param name="image">uint8 RGB image <c>[3, H, W]</c> on the CPU.</param>
    /// <param name="labels">The lines to draw.</param>
    public static Tensor Draw(Tensor image, IEnumerable<PanelLabel> labels)
    {
        if (Typeface.Value is not { } typeface)
        {
            return image.clone();
        }

        int height = (int)image.shape[1], width = (int)image.shape[2];
        using var scope = NewDisposeScope();
        var opaque = full([1, height, width], 255, ScalarType.Byte, image.device);
        var pixels = cat([image, opaque], 0).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (bitmap.RowBytes != width * 4)
        {
            throw new InvalidOperationException($"SkiaSharp laid a {width}-pixel RGBA row out in {bitmap.RowBytes} bytes; {width * 4} were expected.");
        }

        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Typeface = typeface, Color = SKColors.Black, IsAntialias = true })
        {
            foreach (var label in labels)
            {
                paint.TextSize = label.Size;
                canvas.DrawText(Fit(label.Text, label.MaxWidth, paint), label.X, label.Y, paint);
            }
        }

        Marshal.Copy(bitmap.GetPixels(), pixels, 0, pixels.Length);
        return tensor(pixels, [height, width, 4], ScalarType.Byte).permute(2, 0, 1)[..3].contiguous().MoveToOuterDisposeScope();
    }

    // Long class names (CUB's "001.Black_footed_Albatross") are cut to the tile's width rather than drawn over the next tile.
    private static string Fit(string text, int maxWidth, SKPaint paint)
    {
        if (paint.MeasureText(text) <= maxWidth)
        {
            return text;
        }

        var length = text.Length;
        while (length > 0 && paint.MeasureText(string.Concat(text.AsSpan(0, length), "…")) > maxWidth)
        {
            length--;
        }

        return string.Concat(text.AsSpan(0, length), "…");
    }

    private static SKTypeface? FindTypeface()
    {
        var installed = SKFontManager.Default.GetFontFamilies();
        var family = new[] { "DejaVu Sans", "Segoe UI", "Arial", "Helvetica", "Liberation Sans" }.FirstOrDefault(installed.Contains);
        var typeface = family is null ? SKTypeface.Default : SKTypeface.FromFamilyName(family);
        return typeface is { GlyphCount: > 0 } ? typeface : null;
    }
}
