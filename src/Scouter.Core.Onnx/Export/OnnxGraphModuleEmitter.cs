using Scouter.Core.Onnx.Import;
using Scouter.Core.Onnx.Schema;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// An imported ONNX graph (<see cref="OnnxGraphModule"/>) written back: its input conversion as
/// <c>Gather → Mul → Add</c>, then its nodes with their current (possibly fine-tuned) weights and batch-norm statistics.
/// Value names are prefixed with the module's path so they cannot collide with the rest of the graph.
/// </summary>
internal sealed class OnnxGraphModuleEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is OnnxGraphModule;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var imported = (OnnxGraphModule)module;
        var graph = context.Graph;
        var names = new Dictionary<string, string>(StringComparer.Ordinal) { [imported.InputName] = Converted(imported, input, path, graph) };
        string Name(string value) => $"{path}/{value}";
        foreach (var (value, buffer) in imported.ConstantBuffers)
        {
            names[value] = graph.Initializer(Name(value), imported.get_buffer(buffer)!);
        }

        foreach (var step in imported.Steps)
        {
            var node = step.Node;
            var inputs = step.Inputs.Select(i => names[i]).ToList();
            var attributes = node.Attribute.ToList();
            var opType = node.OpType;
            switch (step.Module)
            {
                case ImportedConv2d conv:
                    inputs.Add(graph.Initializer(Name(node.Input[1]), conv.Weight));
                    if (conv.Bias is { } bias)
                    {
                        inputs.Add(graph.Initializer(Name(node.Input[2]), bias));
                    }

                    break;
                case BatchNorm norm:
                    inputs.AddRange([graph.Initializer(Name(node.Input[1]), norm.weight!), graph.Initializer(Name(node.Input[2]), norm.bias!),
                        graph.Initializer(Name(node.Input[3]), norm.running_mean!), graph.Initializer(Name(node.Input[4]), norm.running_var!)]);
                    attributes = [OnnxGraphBuilder.Float("epsilon", (float)norm.eps)];
                    break;
                case Linear linear:
                    inputs.Add(graph.Initializer(Name(node.Input[1]), linear.weight!));
                    if (linear.bias is { } linearBias)
                    {
                        inputs.Add(graph.Initializer(Name(node.Input[2]), linearBias));
                    }

                    attributes = [OnnxGraphBuilder.Int("transB", 1)];
                    break;
            }

            switch (opType)
            {
                case "Dropout":
                    opType = "Identity";
                    attributes = [];
                    break;
                case "Pad":
                    // Written in the opset-11+ form whatever the source's: pads and the constant as inputs.
                    inputs.Add(graph.Int64s(step.Pads!));
                    inputs.Add(graph.Scalar(step.PadValue));
                    attributes = attributes.Where(a => a.Name == "mode").ToList();
                    break;
            }

            names[node.Output[0]] = graph.Node(opType, Name(node.Name.Length > 0 ? node.Name : node.Output[0]), inputs.ToArray(), attributes.ToArray());
        }

        return names[imported.OutputName];
    }

    private static string Converted(OnnxGraphModule imported, string input, string path, OnnxGraphBuilder graph)
    {
        if (imported.Conversion is not { } conversion)
        {
            return input;
        }

        var (scale, shift) = OnnxGraphModule.ConversionCoefficients(conversion);
        var channels = scale.Length;
        var reordered = graph.Node("Gather", $"{path}/input_order", [input, graph.Int64s(conversion.ChannelOrder.Select(c => (long)c).ToArray())], OnnxGraphBuilder.Int("axis", 1));
        var scaled = graph.Node("Mul", $"{path}/input_scale", [reordered, graph.Initializer($"{path}/input_scale", [1, channels, 1, 1], scale)]);
        return graph.Node("Add", $"{path}/input_shift", [scaled, graph.Initializer($"{path}/input_shift", [1, channels, 1, 1], shift)]);
    }
}
