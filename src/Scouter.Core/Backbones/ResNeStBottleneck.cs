// The ResNeSt bottleneck as timm builds it for resnest26d / resnest50d (pytorch-image-models,
// timm/models/resnest.py, ResNestBottleneck with radix 2, cardinality 1, base width 64, avd on, avd_first off;
// dilation as timm's output_stride gives it).
// The code is our own; module names match timm's state dict.
using Scouter.Core.Compat;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// 1×1 conv → BN → ReLU → split-attention 3×3 conv → (3×3 average pool, stride 2, when the block downsamples) →
/// 1×1 conv → BN, plus the shortcut, then ReLU. Downsampling blocks move their stride from the 3×3 convolution to
/// the average pool (timm's <c>avd</c>). State-dict names: <c>conv1</c>, <c>bn1</c>, <c>conv2.*</c>, <c>conv3</c>,
/// <c>bn3</c>, <c>downsample.{1,2}</c>.
/// </summary>
internal sealed class ResNeStBottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU act1;
    private readonly SplitAttention conv2;
    private readonly AvgPool2d? avd_last;
    private readonly Conv2d conv3;
    private readonly ScalarSafeBatchNorm2d bn3;
    private readonly ReLU act3;
    private readonly Sequential? downsample;

    private ResNeStBottleneck(int inChannels, int planes, int stride, Sequential? downsample, int radix, int dilation) : base(nameof(ResNeStBottleneck))
    {
        var width = planes; // base width 64, cardinality 1
        conv1 = nn.Conv2d(inChannels, width, kernel_size: 1, bias: false);
        bn1 = ScalarSafeBatchNorm2d.Create(width);
        act1 = nn.ReLU(inplace: true);
        conv2 = SplitAttention.Create(width, stride: 1, radix, dilation);
        avd_last = stride > 1 ? nn.AvgPool2d(kernel_size: 3, stride: stride, padding: 1) : null;
        conv3 = nn.Conv2d(width, planes * Expansion, kernel_size: 1, bias: false);
        bn3 = ScalarSafeBatchNorm2d.Create(planes * Expansion);
        act3 = nn.ReLU(inplace: true);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>Creates one block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Bottleneck width; the block outputs <c>4·planes</c> channels.</param>
    /// <param name="stride">1, or 2 for the first block of layers 2–4.</param>
    /// <param name="downsample">The shortcut projection, or null for the identity shortcut.</param>
    /// <param name="radix">Split-attention radix.</param>
    /// <param name="dilation">Dilation (and padding) of the split-attention 3×3 convolution.</param>
    public static ResNeStBottleneck Create(int inChannels, int planes, int stride, Sequential? downsample, int radix, int dilation = 1) =>
        new(inChannels, planes, stride, downsample, radix, dilation);

    /// <summary>The last BN of the residual branch, zero-initialised like timm's <c>zero_init_last</c>.</summary>
    public ScalarSafeBatchNorm2d LastNorm => bn3;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = act1.call(bn1.call(conv1.call(input)));
        x = conv2.call(x);
        if (avd_last is not null)
        {
            x = avd_last.call(x);
        }

        x = bn3.call(conv3.call(x));
        var shortcut = downsample is null ? input : downsample.call(input);
        return act3.call(x.PlusInPlace(shortcut)).MoveToOuterDisposeScope();
    }
}
