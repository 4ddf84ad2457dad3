using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// <see cref="MaxPool2d"/>, <see cref="AvgPool2d"/> (ceil mode and <c>count_include_pad</c> included, as ResNeSt's
/// shortcut uses them) and global average pooling (<see cref="AdaptiveAvgPool2d"/> to 1×1).
/// </summary>
internal sealed class PoolingEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is MaxPool2d or AvgPool2d or AdaptiveAvgPool2d;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var graph = context.Graph;
        switch (module)
        {
            case MaxPool2d max:
                return graph.Node("MaxPool", path, [input],
                    OnnxGraphBuilder.Ints("kernel_shape", Pair(max.kernel_size)),
                    OnnxGraphBuilder.Ints("strides", Pair(max.stride ?? max.kernel_size)),
                    OnnxGraphBuilder.Ints("pads", Pads(max.padding)),
                    OnnxGraphBuilder.Ints("dilations", Pair(max.dilation ?? [1])),
                    OnnxGraphBuilder.Int("ceil_mode", max.ceil_mode ? 1 : 0));
            case AvgPool2d average:
                if (average.divisor_override is not null)
                {
                    throw new NotSupportedException($"Cannot export '{path}' to ONNX: AvgPool2d with divisor_override.");
                }

                return graph.Node("AveragePool", path, [input],
                    OnnxGraphBuilder.Ints("kernel_shape", Pair(average.kernel_size)),
                    OnnxGraphBuilder.Ints("strides", Pair(average.stride ?? average.kernel_size)),
                    OnnxGraphBuilder.Ints("pads", Pads(average.padding)),
                    OnnxGraphBuilder.Int("ceil_mode", average.ceil_mode ? 1 : 0),
                    OnnxGraphBuilder.Int("count_include_pad", average.count_include_pad ? 1 : 0));
            case AdaptiveAvgPool2d adaptive when adaptive.output_size.All(size => size == 1):
                return graph.Node("GlobalAveragePool", path, [input]);
            default:
                throw new NotSupportedException($"Cannot export '{path}' to ONNX: {module.GetType().Name} with output size [{string.Join(", ", ((AdaptiveAvgPool2d)module).output_size)}] (only global pooling to 1×1 is supported).");
        }
    }

    private static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;

    private static long[] Pads(long[]? padding)
    {
        var pair = Pair(padding ?? [0]);
        return [pair[0], pair[1], pair[0], pair[1]];
    }
}
