using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// ResNeSt's split attention (cardinality 1), recognised by its children's names. The grouped convolution makes
/// <c>radix</c> splits of <c>C</c> channels (split-major); their sum is globally pooled, <c>fc1 → bn1 → ReLU → fc2</c>
/// gives <c>radix·C</c> logits, a softmax over the splits weighs them per channel, and the weighted splits are summed.
/// </summary>
/// <remarks>The radix is read from the layers (<c>fc2</c> outputs <c>radix·C</c> for the <c>C</c> that <c>fc1</c> takes), so no shape is fixed in the graph but the channel count.</remarks>
internal sealed class SplitAttentionEmitter : IModuleEmitter
{
    private static readonly string[] Required = ["conv", "bn0", "fc1", "bn1", "fc2"];
    private static readonly string[] Optional = ["act0", "act1"];

    public bool CanEmit(nn.Module module)
    {
        if (!ModuleChildren.IsKnownAssembly(module))
        {
            return false;
        }

        var children = ModuleChildren.Of(module);
        return ModuleChildren.Match(children, Required, Optional) && children["fc1"] is Conv2d && children["fc2"] is Conv2d;
    }

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var children = ModuleChildren.Of(module);
        var graph = context.Graph;
        string Child(string name, string value) => context.Emit(children[name], value, ExportContext.Child(path, name));
        var channels = ((Conv2d)children["fc1"]).in_channels;
        var radix = ((Conv2d)children["fc2"]).out_channels / channels;

        var mixed = graph.Node("Relu", ExportContext.Child(path, "act0"), [Child("bn0", Child("conv", input))]); // [B, radix·C, H, W]
        var splits = graph.Nodes("Split", ExportContext.Child(path, "splits"), [mixed, graph.Int64s(Enumerable.Repeat(channels, (int)radix).ToArray())], (int)radix, OnnxGraphBuilder.Int("axis", 1));
        var sum = splits.Length == 1 ? splits[0] : graph.Node("Sum", ExportContext.Child(path, "sum"), splits);
        var pooled = graph.Node("GlobalAveragePool", ExportContext.Child(path, "pool"), [sum]); // [B, C, 1, 1]
        var hidden = graph.Node("Relu", ExportContext.Child(path, "act1"), [Child("bn1", Child("fc1", pooled))]);
        var logits = graph.Node("Reshape", ExportContext.Child(path, "logits"), [Child("fc2", hidden), graph.Int64s(0, radix, channels)]); // [B, radix, C]
        var weights = graph.Node("Softmax", ExportContext.Child(path, "softmax"), [logits], OnnxGraphBuilder.Int("axis", 1));
        var perSplit = graph.Nodes("Split", ExportContext.Child(path, "weights"), [weights, graph.Int64s(Enumerable.Repeat(1L, (int)radix).ToArray())], (int)radix, OnnxGraphBuilder.Int("axis", 1));

        var weighted = new string[radix];
        for (var i = 0; i < radix; i++)
        {
            var weight = graph.Node("Reshape", ExportContext.Child(path, $"weight{i}"), [perSplit[i], graph.Int64s(0, channels, 1, 1)]); // [B, C, 1, 1]
            weighted[i] = graph.Node("Mul", ExportContext.Child(path, $"weighted{i}"), [splits[i], weight]);
        }

        return weighted.Length == 1 ? weighted[0] : graph.Node("Sum", path, weighted);
    }
}
