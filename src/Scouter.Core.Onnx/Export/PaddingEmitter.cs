using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// <see cref="ZeroPad2d"/> and <see cref="ConstantPad2d"/> as an ONNX <c>Pad</c> in constant mode. ResNeSt's dilated
/// stages pad their shortcut by one row and column at the bottom right before a 2×2 average (timm's AvgPool2dSame).
/// </summary>
internal sealed class PaddingEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is ZeroPad2d or ConstantPad2d;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var pad = (PadBase)module;
        // PyTorch orders a 2-d padding (left, right, top, bottom), a single number meaning all four; ONNX wants
        // (begin of every axis, then end of every axis) over N, C, H, W.
        var p = pad.padding.Length == 1 ? [pad.padding[0], pad.padding[0], pad.padding[0], pad.padding[0]] : pad.padding;
        if (p.Length != 4)
        {
            throw new NotSupportedException($"Cannot export '{path}' to ONNX: a 2-d padding needs 1 or 4 sizes; it has {p.Length}.");
        }

        var graph = context.Graph;
        var pads = graph.Int64s(0, 0, p[2], p[0], 0, 0, p[3], p[1]);
        return graph.Node("Pad", path, [input, pads, graph.Scalar((float)pad.value)], OnnxGraphBuilder.Text("mode", "constant"));
    }
}
