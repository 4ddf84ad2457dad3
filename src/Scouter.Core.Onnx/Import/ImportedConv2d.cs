using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Scouter.Core.Onnx.Import;

/// <summary>
/// An ONNX <c>Conv</c> (2-D) with trainable <c>weight</c> and <c>bias</c>. Asymmetric pads (as CNTK writes for
/// stride-2 convolutions, e.g. <c>[3, 3, 2, 2]</c>) are applied by an explicit zero pad before the convolution.
/// </summary>
internal sealed class ImportedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    private readonly long[] stride;
    private readonly long[] dilation;
    private readonly long groups;
    private readonly SpatialPadding padding;

    public ImportedConv2d(string name, Tensor weight, Tensor? bias, long[] stride, long[] dilation, long groups, SpatialPadding padding) : base(name)
    {
        this.weight = new Parameter(weight);
        this.bias = bias is null ? null : new Parameter(bias);
        this.stride = stride;
        this.dilation = dilation;
        this.groups = groups;
        this.padding = padding;
        RegisterComponents();
    }

    /// <summary>The trainable kernel <c>[out, in / groups, kh, kw]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>The trainable bias, if the node had one.</summary>
    public Parameter? Bias => bias;

    public override Tensor forward(Tensor input)
    {
        var kernel = weight.shape[2..];
        if (padding.IsSymmetric)
        {
            return F.conv2d(input, weight, bias, stride, [padding.Top, padding.Left], dilation, groups);
        }

        using var scope = NewDisposeScope();
        var (top, left, bottom, right) = padding.Resolve(input.shape[2], input.shape[3], kernel, stride, dilation);
        var padded = F.pad(input, [left, right, top, bottom]);
        return F.conv2d(padded, weight, bias, stride, [0, 0], dilation, groups).MoveToOuterDisposeScope();
    }
}
