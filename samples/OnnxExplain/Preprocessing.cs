using SkiaSharp;

namespace OnnxExplain;

/// <summary>Decodes an image, resizes it to the model's input (bilinear, no crop) and normalises it as the metadata says.</summary>
internal static class Preprocessing
{
    /// <summary>The resized RGB picture (for drawing) and the normalised planar input, written into <paramref name="input"/> at <paramref name="offset"/>.</summary>
    public static SKBitmap Load(string path, ModelInfo info, float[] input, int offset)
    {
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not an image SkiaSharp can decode.");
        var resized = decoded.Resize(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul), SKFilterQuality.Medium)
            ?? throw new InvalidDataException($"{path} could not be resized.");
        var pixels = resized.Pixels;
        var plane = info.Width * info.Height;
        for (var i = 0; i < plane; i++)
        {
            var p = pixels[i];
            if (info.Channels == 1)
            {
                var grey = (0.299f * p.Red + 0.587f * p.Green + 0.114f * p.Blue) / info.PixelDivisor;
                input[offset + i] = (grey - info.Mean[0]) / info.Std[0];
                continue;
            }

            input[offset + i] = (p.Red / info.PixelDivisor - info.Mean[0]) / info.Std[0];
            input[offset + plane + i] = (p.Green / info.PixelDivisor - info.Mean[1]) / info.Std[1];
            input[offset + 2 * plane + i] = (p.Blue / info.PixelDivisor - info.Mean[2]) / info.Std[2];
        }

        return resized;
    }
}
