// Split attention ("Splat") of ResNeSt: Zhang et al., "ResNeSt: Split-Attention Networks", 2020.
// Follows timm's SplitAttn (pytorch-image-models, timm/layers/split_attn.py) with cardinality 1, so that
// state-dict names and numbers match timm's resnest26d / resnest50d. The code is our own.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// A 3×3 convolution producing <c>radix</c> groups of <c>C</c> channels, recombined by a per-channel softmax over the
/// groups whose weights come from the globally pooled sum of the groups. State-dict names: <c>conv</c>, <c>bn0</c>,
/// <c>fc1</c>, <c>bn1</c>, <c>fc2</c> (fc1 and fc2 are 1×1 convolutions with bias).
/// </summary>
internal sealed class SplitAttention : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly ScalarSafeBatchNorm2d bn0;
    private readonly ReLU act0;
    private readonly Conv2d fc1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU act1;
    private readonly Conv2d fc2;

    private readonly int radix;

    private SplitAttention(int channels, int stride, int radix, int dilation) : base(nameof(SplitAttention))
    {
        this.radix = radix;
        var mixedChannels = channels * radix;
        var attentionChannels = AttentionChannels(channels, radix);

        conv = nn.Conv2d(channels, mixedChannels, kernel_size: 3, stride: stride, padding: dilation, dilation: dilation, groups: radix, bias: false);
        bn0 = ScalarSafeBatchNorm2d.Create(mixedChannels);
        act0 = nn.ReLU(inplace: true);
        fc1 = nn.Conv2d(channels, attentionChannels, kernel_size: 1);
        bn1 = ScalarSafeBatchNorm2d.Create(attentionChannels);
        act1 = nn.ReLU(inplace: true);
        fc2 = nn.Conv2d(attentionChannels, mixedChannels, kernel_size: 1);
        RegisterComponents();
    }

    /// <summary>Creates the block for <paramref name="channels"/> input and output channels.</summary>
    /// <param name="channels">Input and output channels <c>C</c>.</param>
    /// <param name="stride">Stride of the 3×3 convolution.</param>
    /// <param name="radix">Number of splits (≥ 2; both ResNeSt variants here use 2).</param>
    /// <param name="dilation">Dilation (and padding) of the 3×3 convolution.</param>
    public static SplitAttention Create(int channels, int stride, int radix, int dilation = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(radix, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        return new SplitAttention(channels, stride, radix, dilation);
    }

    /// <summary>
    /// Width of the attention bottleneck: timm's <c>make_divisible(C·radix/4, divisor 8, min 32)</c>, rounding to the
    /// nearest multiple of 8 and stepping up one multiple when rounding lost more than 10%.
    /// </summary>
    internal static int AttentionChannels(int channels, int radix)
    {
        const int divisor = 8;
        var value = channels * radix * 0.25;
        var rounded = Math.Max(32, (int)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    public override Tensor forward(Tensor input)
    {
        if (training && input.shape[0] < 2)
        {
            // bn1 normalises one pooled value per channel and image; LibTorch would fail deep inside with a native error.
            throw new ArgumentException($"ResNeSt's split attention batch-normalises globally pooled features, so training needs a batch of at least 2 images; got {TensorChecks.Describe(input)}. Use a larger batch or eval().", nameof(input));
        }

        using var scope = NewDisposeScope();
        var mixed = act0.call(bn0.call(conv.call(input))); // [B, radix·C, H, W]
        long batch = mixed.shape[0], height = mixed.shape[2], width = mixed.shape[3];
        var splits = mixed.view(batch, radix, -1, height, width); // [B, radix, C, H, W]

        var pooled = splits.sum(1).mean([2L, 3L], keepdim: true); // [B, C, 1, 1]
        var logits = fc2.call(act1.call(bn1.call(fc1.call(pooled)))); // [B, radix·C, 1, 1], split-major

        // With cardinality 1, timm's RadixSoftmax is a softmax over the radix axis of this view.
        var weights = logits.view(batch, radix, -1, 1, 1).softmax(1);
        return (splits * weights).sum(1).MoveToOuterDisposeScope();
    }
}
