using System.Text.Json;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>
/// Reads the files of Fixtures/Backbones, written by make_backbone_fixtures.py with Debian's torch 1.13 (timm's
/// ResNeSt re-implemented from its source; ResNets from torchvision 0.14).
/// </summary>
public static class BackboneFixtures
{
    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Backbones", file);

    private static JsonElement Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf(file)));
        return document.RootElement.Clone();
    }

    /// <summary>A state-dict listing: (name, shape) in order, and the parameter and entry counts.</summary>
    public sealed record KeyList(IReadOnlyList<(string Name, long[] Shape)> Keys, long Parameters, int Entries);

    public static KeyList Keys(string model)
    {
        var root = Read($"{model}_keys.json");
        var keys = root.GetProperty("keys").EnumerateArray()
            .Select(k => (k[0].GetString()!, k[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();
        return new KeyList(keys, root.GetProperty("parameters").GetInt64(), root.GetProperty("entries").GetInt32());
    }

    /// <summary>A forward pass of the re-implemented timm model under <see cref="DeterministicWeights"/>.</summary>
    public sealed class Forward
    {
        private readonly JsonElement root;

        public Forward(string model) => root = Read($"{model}_forward.json");

        public long[] InputShape => Longs("input_shape");

        public int NumClasses => root.GetProperty("num_classes").GetInt32();

        public bool HasFullFeatures => root.TryGetProperty("features", out _);

        public Tensor Tensor(string name, params long[] shape) =>
            tensor(root.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()).reshape(shape);

        public long[] Longs(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
    }

    /// <summary>Trainable and total parameters of the feature extractor of <paramref name="model"/> after freeze_layers k.</summary>
    public static (long Trainable, long Total) FreezeCounts(string model, int k)
    {
        var row = Read("freeze_counts.json").GetProperty("models").GetProperty(model).EnumerateArray()
            .Single(r => r.GetProperty("k").GetInt32() == k);
        return (row.GetProperty("trainable").GetInt64(), row.GetProperty("total").GetInt64());
    }

    /// <summary>Channels and parameter count of a TorchVision model without <c>fc</c> (torchvision 0.14).</summary>
    public static (int Channels, long Parameters) TorchVisionFeatures(string model)
    {
        var entry = Read("torchvision_feature_parameters.json").GetProperty("models").GetProperty(model);
        return (entry.GetProperty("channels").GetInt32(), entry.GetProperty("parameters").GetInt64());
    }
}
