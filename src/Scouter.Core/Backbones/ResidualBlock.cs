// Runs a TorchVision ResNet block (BasicBlock or Bottleneck) with the forward pass of TorchSharp's TorchVision
// 0.107 (torchvision/models/resnet.py), reusing the block's own modules.
using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// A TorchVision ResNet block (<c>BasicBlock</c> or <c>Bottleneck</c>) adopted module for module: same children, same
/// names and registration order (so the same state-dict keys and parameter order), same computation, but its residual
/// addition leaves no <see cref="Scalar"/> to the finalizer, and its batch norms (shortcut included) are
/// <see cref="ScalarSafeBatchNorm2d"/>s holding the block's own parameters and buffers.
/// </summary>
/// <remarks>
/// TorchVision's blocks end in <c>x.add_(identity)</c>, which TorchSharp 0.107 turns into <c>add_(identity, alpha: 1)</c>
/// with a native <see cref="Scalar"/> that only the garbage collector frees (see <see cref="ScalarScope"/>). Eight of
/// them per resnet18 forward pass were enough to keep resident memory rising over a thousand explanation calls.
/// </remarks>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor>? relu2;
    private readonly nn.Module<Tensor, Tensor>? conv3;
    private readonly nn.Module<Tensor, Tensor>? bn3;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    private ResidualBlock(nn.Module block, IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> children) : base(block.GetName())
    {
        conv1 = children["conv1"];
        bn1 = children["bn1"];
        relu1 = children["relu1"];
        conv2 = children["conv2"];
        bn2 = children["bn2"];
        relu2 = children.GetValueOrDefault("relu2");
        conv3 = children.GetValueOrDefault("conv3");
        bn3 = children.GetValueOrDefault("bn3");
        downsample = children.GetValueOrDefault("downsample");

        // Registered by hand, in the block's own order: parameters() order is what optimizer state and the official
        // checkpoint's parameter indices follow.
        foreach (var (name, _) in block.named_children())
        {
            register_module(name, children[name]);
        }
    }

    /// <summary>
    /// A copy of a TorchVision ResNet stage (<c>layer1</c> … <c>layer4</c>, a <see cref="Sequential"/> of blocks named
    /// <c>0</c>, <c>1</c>, …) whose blocks are adopted. It shares every parameter and buffer with <paramref name="stage"/>.
    /// </summary>
    /// <param name="stage">A stage of a TorchVision ResNet.</param>
    /// <param name="stageName">The stage's name, for error messages.</param>
    /// <exception cref="ArgumentException">A block's children are not those of a TorchVision BasicBlock or Bottleneck.</exception>
    public static Sequential AdoptStage(nn.Module stage, string stageName) =>
        nn.Sequential(stage.named_children().Select(child => (child.name, (nn.Module<Tensor, Tensor>)Adopt(child.module, $"{stageName}.{child.name}"))));

    private static ResidualBlock Adopt(nn.Module block, string path)
    {
        var children = new Dictionary<string, nn.Module<Tensor, Tensor>>(StringComparer.Ordinal);
        foreach (var (name, child) in block.named_children())
        {
            children[name] = child switch
            {
                BatchNorm2d norm => ScalarSafeBatchNorm2d.Adopt(norm),
                Sequential shortcut when name == "downsample" => AdoptShortcut(shortcut),
                nn.Module<Tensor, Tensor> module => module,
                _ => throw new ArgumentException($"{path}.{name} is a {child.GetType().Name}, not a Module<Tensor, Tensor>; expected a TorchVision ResNet block.", nameof(block)),
            };
        }

        string[] basic = ["conv1", "bn1", "relu1", "conv2", "bn2"];
        string[] bottleneck = [.. basic, "relu2", "conv3", "bn3"];
        var names = children.Keys.Where(name => name != "downsample").ToHashSet(StringComparer.Ordinal);
        if (!names.SetEquals(basic) && !names.SetEquals(bottleneck))
        {
            throw new ArgumentException($"{path} has children {string.Join(", ", children.Keys)}; expected those of a TorchVision BasicBlock ({string.Join(", ", basic)}[, downsample]) or Bottleneck ({string.Join(", ", bottleneck)}[, downsample]).", nameof(block));
        }

        return new ResidualBlock(block, children);
    }

    // TorchVision's shortcut is Sequential(conv "0", batch norm "1"): the same children under the same names, with the
    // batch norm adopted.
    private static Sequential AdoptShortcut(Sequential shortcut) =>
        nn.Sequential(shortcut.named_children().Select(child => (child.name, child.module switch
        {
            BatchNorm2d norm => ScalarSafeBatchNorm2d.Adopt(norm),
            _ => (nn.Module<Tensor, Tensor>)child.module,
        })));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = relu1.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        if (conv3 is not null)
        {
            x = bn3!.call(conv3.call(relu2!.call(x)));
        }

        var identity = downsample is null ? input : downsample.call(input);
        return x.add_(identity, ScalarScope.One).relu_().MoveToOuterDisposeScope();
    }
}
