using System.Text.Json;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

/// <summary>What PIL makes of the committed test images (Fixtures/make_image_fixtures.py, Debian's python3-pil 9.4).</summary>
public static class ImageFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "image_fixtures.json"))));

    public static string ImagePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Images", name);

    /// <summary>A uint8 CHW tensor from section (decoded_rgb, decoded_l, resized) and key.</summary>
    public static Tensor Get(string section, string key)
    {
        var entry = Document.Value.RootElement.GetProperty(section).GetProperty(key);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var data = entry.GetProperty("data").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        return tensor(data, shape, ScalarType.Byte);
    }

    /// <summary>
    /// A PNG whose header declares <paramref name="width"/> × <paramref name="height"/> and that holds no pixel data
    /// (its IEND is there): what a decoder must judge from the header alone.
    /// </summary>
    public static byte[] PngHeader(uint width, uint height) =>
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
        .. BitConverter.GetBytes(width).Reverse(), .. BitConverter.GetBytes(height).Reverse(), 8, 2, 0, 0, 0, 0, 0, 0, 0, // depth 8, RGB, a CRC
        0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82, // IEND
    ];

    /// <summary>A float32 CHW tensor of section model_input.</summary>
    public static Tensor GetFloat(string section, string key)
    {
        var entry = Document.Value.RootElement.GetProperty(section).GetProperty(key);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var data = entry.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return tensor(data, shape);
    }
}
