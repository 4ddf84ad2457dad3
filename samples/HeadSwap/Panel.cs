using Scouter.Core.Explanations.Rendering;
using SkiaSharp;
using static TorchSharp.torch;

namespace HeadSwap;

/// <summary>One image beside each class's map over it, captioned with the class name and probability.</summary>
internal static class Panel
{
    private const int Scale = 2, Caption = 16;

    /// <summary>Writes the panel of one image as a PNG file.</summary>
    /// <param name="image">The image <c>[3, H, W]</c> in <c>[0, 1]</c>.</param>
    /// <param name="maps">Its class maps <c>[n, h, w]</c> in <c>[0, 1]</c>.</param>
    /// <param name="probabilities">Class probabilities <c>[n]</c>.</param>
    /// <param name="names">Class names.</param>
    /// <param name="path">Target file.</param>
    public static void Write(Tensor image, Tensor maps, Tensor probabilities, IReadOnlyList<string> names, string path)
    {
        using var scope = NewDisposeScope();
        var n = maps.shape[0];
        var picture = ImageTensors.ToUInt8(image.cpu().unsqueeze(0));                           // [1, 3, H, W]
        var overlays = HeatmapOverlay.Overlay(picture.expand(n, -1, -1, -1), maps.cpu());         // [n, 3, H, W]
        var tiles = cat([picture, overlays]).unsqueeze(0);
        var grid = ImageGrid.Compose(nn.functional.interpolate(tiles.squeeze(0), scale_factor: [Scale, Scale]).unsqueeze(0), padding: 4);

        using var bitmap = SKBitmap.Decode(Png.Encode(grid));
        using var panel = new SKBitmap(bitmap.Width, bitmap.Height + Caption);
        using (var canvas = new SKCanvas(panel))
        using (var text = new SKPaint { Color = SKColors.Black, TextSize = 11, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(bitmap, 0, 0);
            var tile = (int)image.shape[2] * Scale + 4;
            var p = probabilities.cpu().data<float>().ToArray();
            canvas.DrawText("input", 4, bitmap.Height + 11, text);
            for (var c = 0; c < n; c++)
            {
                canvas.DrawText($"{names[c]} {p[c]:P0}", 4 + (c + 1) * tile, bitmap.Height + 11, text);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var data = panel.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
