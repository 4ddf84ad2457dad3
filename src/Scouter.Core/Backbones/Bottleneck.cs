// TorchVision's Bottleneck (torchvision/models/resnet.py: ResNet "v1.5", the stride in the 3×3 convolution), the block
// of resnet50/101/152, the ResNeXts and the Wide ResNets. Its 3×3 convolution takes the dilation TorchVision's
// replace_stride_with_dilation gives it. The code is our own; module names are TorchVision's.
using Scouter.Core.Compat;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// 1×1 conv → BN → ReLU → grouped 3×3 conv → BN → ReLU → 1×1 conv → BN, plus the shortcut, then ReLU. State-dict
/// names: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>conv3</c>, <c>bn3</c>, <c>downsample.{0,1}</c>.
/// </summary>
internal sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 4;

    // Declared in TorchVision's registration order (see BasicBlock).
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly ScalarSafeBatchNorm2d bn3;
    private readonly ReLU relu;
    private readonly Sequential? downsample;

    /// <summary>Creates one block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Bottleneck planes; the block outputs <c>4·planes</c> channels.</param>
    /// <param name="stride">Stride of <c>conv2</c>: 2 for the first block of a downsampling stage, else 1.</param>
    /// <param name="downsample">The shortcut projection, or null for the identity.</param>
    /// <param name="groups">Groups of <c>conv2</c> (ResNeXt's cardinality).</param>
    /// <param name="widthPerGroup">Channels per group at 64 planes (64 for ResNet, 128 for Wide ResNet).</param>
    /// <param name="dilation">Dilation (and padding) of <c>conv2</c>.</param>
    public Bottleneck(int inPlanes, int planes, int stride, Sequential? downsample, int groups, int widthPerGroup, int dilation) : base(nameof(Bottleneck))
    {
        var width = (int)(planes * (widthPerGroup / 64.0)) * groups;
        conv1 = nn.Conv2d(inPlanes, width, kernel_size: 1, bias: false);
        bn1 = ScalarSafeBatchNorm2d.Create(width);
        conv2 = nn.Conv2d(width, width, kernel_size: 3, stride: stride, padding: dilation, dilation: dilation, groups: groups, bias: false);
        bn2 = ScalarSafeBatchNorm2d.Create(width);
        conv3 = nn.Conv2d(width, planes * Expansion, kernel_size: 1, bias: false);
        bn3 = ScalarSafeBatchNorm2d.Create(planes * Expansion);
        relu = nn.ReLU(inplace: true);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = relu.call(bn1.call(conv1.call(input)));
        x = relu.call(bn2.call(conv2.call(x)));
        x = bn3.call(conv3.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return x.PlusInPlace(identity).relu_().MoveToOuterDisposeScope();
    }
}
