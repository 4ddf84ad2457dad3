using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// <see cref="Conv2d"/> as an ONNX <c>Conv</c>, with the module's own kernel, stride, padding, dilation and groups,
/// so dilated (output-stride) and grouped (ResNeXt, split attention) convolutions export as they run.
/// </summary>
internal sealed class ConvolutionEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Conv2d;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var conv = (Conv2d)module;
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw new NotSupportedException($"Cannot export '{path}' to ONNX: Conv2d with padding_mode {conv.padding_mode} (only zero padding is supported).");
        }

        var pads = Pads(conv, path);
        var inputs = new List<string> { input, context.Graph.Initializer(ExportContext.Child(path, "weight"), conv.weight!) };
        if (conv.bias is { } bias)
        {
            inputs.Add(context.Graph.Initializer(ExportContext.Child(path, "bias"), bias));
        }

        return context.Graph.Node("Conv", path, inputs.ToArray(),
            OnnxGraphBuilder.Ints("kernel_shape", conv.kernel_size),
            OnnxGraphBuilder.Ints("strides", conv.stride),
            OnnxGraphBuilder.Ints("pads", pads),
            OnnxGraphBuilder.Ints("dilations", conv.dilation),
            OnnxGraphBuilder.Int("group", conv.groups));
    }

    // ONNX pads are [top, left, bottom, right]; PyTorch's "same" puts the odd extra pixel at the end.
    private static long[] Pads(Conv2d conv, string path)
    {
        if (conv.padding_type == Padding.Valid)
        {
            return [0, 0, 0, 0];
        }

        if (conv.padding_type == Padding.Same)
        {
            if (conv.stride.Any(s => s != 1))
            {
                throw new NotSupportedException($"Cannot export '{path}' to ONNX: padding 'same' with stride {string.Join("x", conv.stride)}.");
            }

            var total = conv.kernel_size.Zip(conv.dilation, (k, d) => d * (k - 1)).ToArray();
            return [total[0] / 2, total[1] / 2, total[0] - total[0] / 2, total[1] - total[1] / 2];
        }

        var padding = conv.padding is null or { Length: 0 } ? [0, 0] : conv.padding.Length == 1 ? [conv.padding[0], conv.padding[0]] : conv.padding;
        return [padding[0], padding[1], padding[0], padding[1]];
    }
}
