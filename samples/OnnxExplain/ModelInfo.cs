using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace OnnxExplain;

/// <summary>What the exported model's metadata says: input size, normalisation, class names, head and polarity.</summary>
internal sealed record ModelInfo(int Height, int Width, int Channels, float[] Mean, float[] Std, float PixelDivisor, IReadOnlyList<string> ClassNames, bool HasMaps, bool Negative)
{
    public static ModelInfo Read(InferenceSession session)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        string Get(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"The model has no '{key}' metadata: export it with 'scouter export-onnx' (Scouter.Core.Onnx).");
        float[] Floats(string key) => Get(key).Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        var classes = session.OutputMetadata["log_probabilities"].Dimensions[1];
        var names = metadata.TryGetValue("scouter.class_names", out var json)
            ? JsonSerializer.Deserialize<string[]>(json)!
            : Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray();
        return new ModelInfo(
            int.Parse(Get("scouter.input_height"), CultureInfo.InvariantCulture),
            int.Parse(Get("scouter.input_width"), CultureInfo.InvariantCulture),
            int.Parse(Get("scouter.input_channels"), CultureInfo.InvariantCulture),
            Floats("scouter.mean"), Floats("scouter.std"),
            float.Parse(Get("scouter.pixel_divisor"), CultureInfo.InvariantCulture),
            names,
            session.OutputMetadata.ContainsKey("class_maps_upsampled"),
            metadata.TryGetValue("scouter.polarity", out var polarity) && polarity == "negative");
    }
}
