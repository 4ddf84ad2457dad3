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

    /// <summary>One recorded forward pass: named arrays of numbers.</summary>
    public abstract class ForwardCase(JsonElement root)
    {
        public long[] InputShape => Longs("input_shape");

        public Tensor Tensor(string name, params long[] shape) =>
            tensor(root.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()).reshape(shape);

        public long[] Longs(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();

        protected bool Has(string name) => root.TryGetProperty(name, out _);

        protected int Int(string name) => root.GetProperty(name).GetInt32();
    }

    /// <summary>A forward pass of the re-implemented timm model under <see cref="DeterministicWeights"/>.</summary>
    public sealed class Forward(string model) : ForwardCase(Read($"{model}_forward.json"))
    {
        public int NumClasses => Int("num_classes");

        public bool HasFullFeatures => Has("features");
    }

    /// <summary>
    /// A feature map at output stride 16 or 8 from strided_forward.json: timm's resnest26d, torchvision's resnet50 with
    /// replace_stride_with_dilation, resnet18 dilated by timm's rule; weights and input by formula.
    /// </summary>
    public sealed class StridedForward(string model, int outputStride) : ForwardCase(Read("strided_forward.json").GetProperty("cases").EnumerateArray()
        .Single(c => c.GetProperty("model").GetString() == model && c.GetProperty("output_stride").GetInt32() == outputStride))
    {
        public long[] FeaturesShape => Longs("features_shape");

        public int SliceChannels => Int("feature_slice_channels");
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
