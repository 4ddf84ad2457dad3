using System.Runtime.CompilerServices;
using System.Text.Json;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

/// <summary>
/// Files made by Fixtures/Interop/make_interop_fixtures.py (Debian's torch 1.13) and the tiny models they describe.
/// </summary>
internal static class InteropFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop", name);

    /// <summary>The fixture folder in the source tree (to refresh files written by C#; see OfficialCheckpointTests).</summary>
    public static string SourcePath(string name, [CallerFilePath] string thisFile = "") =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(thisFile)!, "..", "Fixtures", "Interop", name);

    public static ScalarType Dtype(string pythonName) => pythonName switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        "int64" => ScalarType.Int64,
        "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16,
        "int8" => ScalarType.Int8,
        "uint8" => ScalarType.Byte,
        "bool" => ScalarType.Bool,
        _ => throw new ArgumentException(pythonName),
    };

    /// <summary>tiny_state_dict.json: name → (dtype, shape, row-major values as float64).</summary>
    public static IReadOnlyList<(string Name, ScalarType Dtype, long[] Shape, double[] Values)> TinyStateDict()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path("tiny_state_dict.json")));
        return document.RootElement.GetProperty("tensors").EnumerateObject().Select(e => (
            e.Name,
            Dtype(e.Value.GetProperty("dtype").GetString()!),
            e.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
            e.Value.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()).ToArray())).ToList();
    }

    /// <summary>scouter_tiny_expected.json: a float tensor by name (images, slot_log_probs, fc_log_probs).</summary>
    public static Tensor Expected(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path("scouter_tiny_expected.json")));
        var entry = document.RootElement.GetProperty(name);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var values = entry.GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        return tensor(values).reshape(shape);
    }

    public static IReadOnlyList<string> ExpectedSlotKeys()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path("scouter_tiny_expected.json")));
        return document.RootElement.GetProperty("slot_state_dict_keys").EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    /// <summary>The fixture's TinyBackbone without its fc: conv 3→6 (3×3, stride 2, padding 1), batch norm, ReLU.</summary>
    public static nn.Module<Tensor, Tensor> TinyBackbone() =>
        nn.Sequential(("conv", nn.Conv2d(3, 6, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(6)), ("relu", nn.ReLU()));

    /// <summary>The fixture's SlotModel: negative SCOUTER, C = 6, d = 8, 3 classes, 2 slots each, to_k_layer 2.</summary>
    public static ClassifierHeadOptions SlotOptions() => new()
    {
        Channels = 6, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 2, ToKLayers = 2, Polarity = ScouterPolarity.Negative,
    };

    /// <summary>The fixture's loss flags: lambda_value 1.5, power 1.</summary>
    public static ScouterLossOptions LossOptions() => new() { Lambda = 1.5, Power = 1.0 };

    public static ScouterModel SlotModel(ClassifierHeadOptions? options = null) =>
        ScouterModel.Create(TinyBackbone(), XSlotClassifier.Create(options ?? SlotOptions()));

    public static ScouterModel FcModel() => ScouterModel.Create(TinyBackbone(), FcClassifierHead.Create(6, 3));
}
