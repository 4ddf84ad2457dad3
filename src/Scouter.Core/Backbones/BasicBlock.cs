// TorchVision's BasicBlock (torchvision/models/resnet.py), the block of resnet18 and resnet34, with the dilation of
// timm's BasicBlock (pytorch-image-models, timm/models/resnet.py). TorchVision refuses dilation > 1 here; timm dilates
// conv1 by the block's first dilation and conv2 by the stage's, which is what a dilated stage needs. With dilation 1
// this is TorchVision's block exactly. The code is our own; module names are TorchVision's.
using Scouter.Core.Compat;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// 3×3 conv → BN → ReLU → 3×3 conv → BN, plus the shortcut, then ReLU. State-dict names: <c>conv1</c>, <c>bn1</c>,
/// <c>conv2</c>, <c>bn2</c>, <c>downsample.{0,1}</c>.
/// </summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 1;

    // Declared in TorchVision's registration order: parameters() order is what optimizer state and the official
    // checkpoint's parameter indices follow.
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates one block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of <c>conv1</c>: 2 for the first block of a downsampling stage, else 1.</param>
    /// <param name="downsample">The shortcut projection, or null for the identity.</param>
    /// <param name="firstDilation">Dilation (and padding) of <c>conv1</c>.</param>
    /// <param name="dilation">Dilation (and padding) of <c>conv2</c>.</param>
    public BasicBlock(int inPlanes, int planes, int stride, Sequential? downsample, int firstDilation, int dilation) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, kernel_size: 3, stride: stride, padding: firstDilation, dilation: firstDilation, bias: false);
        bn1 = ScalarSafeBatchNorm2d.Create(planes);
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: dilation, dilation: dilation, bias: false);
        bn2 = ScalarSafeBatchNorm2d.Create(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = relu.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return x.PlusInPlace(identity).relu_().MoveToOuterDisposeScope();
    }
}
