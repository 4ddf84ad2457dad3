using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

/// <summary>A temporary folder, deleted on dispose, with helpers that write the files the loaders read.</summary>
public sealed class TempFolder : IDisposable
{
    private static readonly torchvision.io.SkiaImager Imager = new(quality: 95);

    public TempFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "scouter-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public string Folder(params string[] parts)
    {
        var path = PathOf(parts);
        Directory.CreateDirectory(path);
        return path;
    }

    public string WriteText(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes a solid-colour image (uint8 CHW) of the given size; PNG unless the name ends in .jpg/.jpeg/.JPEG.</summary>
    public string WriteImage(string relative, int width, int height, byte r = 200, byte g = 100, byte b = 50, bool gray = false)
    {
        using var image = gray
            ? full([1, height, width], (int)r, ScalarType.Byte)
            : stack([full([height, width], (int)r, ScalarType.Byte), full([height, width], (int)g, ScalarType.Byte), full([height, width], (int)b, ScalarType.Byte)]);
        return WriteImage(relative, image);
    }

    public string WriteImage(string relative, Tensor chw)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var format = extension is ".jpg" or ".jpeg" ? torchvision.ImageFormat.Jpeg : torchvision.ImageFormat.Png;
        File.WriteAllBytes(path, Imager.EncodeImage(chw.contiguous(), format));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
