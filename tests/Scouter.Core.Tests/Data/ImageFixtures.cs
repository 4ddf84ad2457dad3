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
}
