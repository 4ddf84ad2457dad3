using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Scouter.Core.Onnx.Import;

/// <summary>
/// ONNX <c>MaxPool</c> and <c>AveragePool</c> (2-D) with their pads, strides, dilations, ceil mode and
/// <c>count_include_pad</c>. Asymmetric pads are applied explicitly: with −∞ for max pooling; for average pooling that
/// leaves the padding out of the count, the sum over each window is divided by the number of real pixels in it.
/// </summary>
internal sealed class ImportedPooling : nn.Module<Tensor, Tensor>
{
    private readonly bool max;
    private readonly long[] kernel;
    private readonly long[] stride;
    private readonly long[] dilation;
    private readonly bool ceilMode;
    private readonly bool countIncludePad;
    private readonly SpatialPadding padding;

    public ImportedPooling(string name, NodeAttributes attributes) : base(name)
    {
        max = attributes.Node.OpType == "MaxPool";
        kernel = attributes.Ints("kernel_shape") ?? throw new InvalidDataException($"{attributes.Describe()} has no kernel_shape.");
        if (kernel.Length != 2)
        {
            throw new NotSupportedException($"{attributes.Describe()} pools over {kernel.Length} dimensions; the importer takes 2-D pooling.");
        }

        stride = attributes.Ints("strides") ?? [1, 1];
        dilation = attributes.Ints("dilations") ?? [1, 1];
        ceilMode = attributes.Int("ceil_mode", 0) != 0;
        countIncludePad = attributes.Int("count_include_pad", 0) != 0;
        padding = SpatialPadding.From(attributes);
        if (max && attributes.Int("storage_order", 0) != 0)
        {
            throw new NotSupportedException($"{attributes.Describe()} has storage_order 1 (column-major indices), which the importer does not support.");
        }

        if (!max && dilation.Any(d => d != 1))
        {
            throw new NotSupportedException($"{attributes.Describe()}: dilated average pooling is not supported.");
        }
    }

    public override Tensor forward(Tensor input)
    {
        // PyTorch's own padding goes up to half the kernel; larger pads are applied explicitly below.
        if (padding.IsSymmetric && padding.Top <= kernel[0] / 2 && padding.Left <= kernel[1] / 2)
        {
            long[] symmetric = [padding.Top, padding.Left];
            return max
                ? F.max_pool2d(input, kernel, stride, symmetric, dilation, ceilMode)
                : F.avg_pool2d(input, kernel, stride, symmetric, ceilMode, countIncludePad);
        }

        using var scope = NewDisposeScope();
        var (top, left, bottom, right) = padding.Resolve(input.shape[2], input.shape[3], kernel, stride, dilation);
        long[] pads = [left, right, top, bottom];
        Tensor result;
        if (max)
        {
            result = F.max_pool2d(F.pad(input, pads, value: double.NegativeInfinity), kernel, stride, [0, 0], dilation, ceilMode);
        }
        else if (countIncludePad)
        {
            result = F.avg_pool2d(F.pad(input, pads), kernel, stride, [0, 0], ceilMode, count_include_pad: true);
        }
        else
        {
            var mask = ones(1, 1, input.shape[2], input.shape[3], dtype: input.dtype, device: input.device);
            var sums = F.avg_pool2d(F.pad(input, pads), kernel, stride, [0, 0], ceilMode, count_include_pad: true);
            var counts = F.avg_pool2d(F.pad(mask, pads), kernel, stride, [0, 0], ceilMode, count_include_pad: true);
            result = sums / counts;
        }

        return result.MoveToOuterDisposeScope();
    }
}
