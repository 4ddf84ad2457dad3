using System.Text.Json;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Support;

/// <summary>
/// A golden fixture computed by PyTorch (Fixtures/make_fixtures.py, Debian's python3-torch 1.13):
/// the official head's weights, an input, and every output the tests compare against.
/// </summary>
public sealed class Fixture
{
    private readonly Dictionary<string, (long[] Shape, float[] Data)> tensors;

    private Fixture(string name, JsonElement config, Dictionary<string, (long[] Shape, float[] Data)> tensors)
    {
        Name = name;
        Config = config;
        this.tensors = tensors;
    }

    public string Name { get; }

    public JsonElement Config { get; }

    public static readonly string[] All =
    [
        "xslot_pos_s1_l1",
        "xslot_neg_s3_l3_nonsquare",
        "xslot_pos_s2_l2_default_dim",
        "xslot_pos_1x1",
    ];

    public static Fixture Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var tensors = new Dictionary<string, (long[], float[])>();
        foreach (var entry in root.GetProperty("tensors").EnumerateObject())
        {
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var data = entry.Value.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            tensors[entry.Name] = (shape, data);
        }

        return new Fixture(name, root.GetProperty("config").Clone(), tensors);
    }

    public int Int(string key) => Config.GetProperty(key).GetInt32();

    public double Double(string key) => Config.GetProperty(key).GetDouble();

    public IEnumerable<string> Names => tensors.Keys;

    public ClassifierHeadOptions HeadOptions() => new()
    {
        Channels = Int("channels"),
        HiddenDim = Int("hidden_dim"),
        NumClasses = Int("num_classes"),
        SlotsPerClass = Int("slots_per_class"),
        ToKLayers = Int("to_k_layers"),
        Iterations = Int("iterations"),
        Polarity = (ScouterPolarity)Int("loss_status"),
    };

    public ScouterLossOptions LossOptions() => new()
    {
        Lambda = Double("lambda_value"),
        Power = Double("power"),
    };

    public Tensor Tensor(string name)
    {
        var (shape, data) = tensors[name];
        return tensor(data, ScalarType.Float32).reshape(shape);
    }

    public Tensor Labels() => Tensor("input.labels").to(ScalarType.Int64);

    /// <summary>Copies every official state-dict entry the module has into it, checking shapes; returns the names it skipped.</summary>
    public IReadOnlyList<string> LoadInto(nn.Module module)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var skipped = new List<string>();
        using var noGrad = no_grad();
        foreach (var name in tensors.Keys.Where(n => !n.Contains('.') || !(n.StartsWith("input.") || n.StartsWith("output.") || n.StartsWith("grad.") || n.StartsWith("vis."))))
        {
            if (!parameters.TryGetValue(name, out var parameter))
            {
                skipped.Add(name);
                continue;
            }

            using var value = Tensor(name);
            value.shape.Should().Equal(parameter.shape, $"fixture entry {name} must match the module's parameter shape");
            parameter.copy_(value);
        }

        return skipped;
    }
}
