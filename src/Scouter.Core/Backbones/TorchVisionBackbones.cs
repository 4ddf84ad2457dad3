using TorchSharp;
using static TorchSharp.torch;
using ResNet = TorchSharp.Modules.ResNet;

namespace Scouter.Core.Backbones;

/// <summary>
/// Feature extractors cut from TorchVision's ResNet family: every layer before average pooling, sharing the
/// TorchVision model's modules and parameters, with PyTorch's state-dict names (<c>conv1.weight</c>, <c>bn1.*</c>,
/// <c>layer1.0.conv1.weight</c>, …).
/// </summary>
public static class TorchVisionBackbones
{
    private static readonly (string Name, Func<ResNet> Build)[] Architectures =
    [
        ("resnet18", () => torchvision.models.resnet18()),
        ("resnet34", () => torchvision.models.resnet34()),
        ("resnet50", () => torchvision.models.resnet50()),
        ("resnet101", () => torchvision.models.resnet101()),
        ("resnet152", () => torchvision.models.resnet152()),
        ("resnext50_32x4d", () => torchvision.models.resnext50_32x4d()),
        // TorchSharp 0.107's resnext101_32x8d / resnext101_64x4d build 50-layer networks ([3, 4, 6, 3] blocks, about
        // half of TorchVision's parameters); the 101-layer factory with the same groups and widths is TorchVision's model.
        ("resnext101_32x8d", () => ResNet.ResNet101(groups: 32, width_per_group: 8)),
        ("resnext101_64x4d", () => ResNet.ResNet101(groups: 64, width_per_group: 4)),
        ("wide_resnet50_2", () => torchvision.models.wide_resnet50_2()),
        ("wide_resnet101_2", () => torchvision.models.wide_resnet101_2()),
    ];

    /// <summary>The architectures <see cref="Create"/> knows, in TorchVision's spelling.</summary>
    public static IReadOnlyList<string> Names { get; } = Architectures.Select(a => a.Name).ToArray();

    /// <summary>Builds a TorchVision model (randomly initialised, as TorchVision does) and cuts it before <c>avgpool</c>.</summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="inputChannels">3 keeps TorchVision's 7×7 stem; any other count swaps in the <see cref="MnistStem"/>.</param>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static Backbone Create(string name, int inputChannels = 3)
    {
        var architecture = Find(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        return FromResNet(architecture.Name, architecture.Build(), inputChannels);
    }

    /// <summary>
    /// Cuts a TorchVision ResNet you built (for example with <c>weights_file</c>) before <c>avgpool</c>. The channel
    /// count is read from <c>fc.weight</c>. The backbone owns <paramref name="model"/> from then on.
    /// </summary>
    /// <param name="name">A name for logs and checkpoints.</param>
    /// <param name="model">Any TorchVision ResNet, ResNeXt or Wide ResNet.</param>
    /// <param name="inputChannels">
    /// 3 shares every parameter with <paramref name="model"/> (batch norms are adopted as
    /// <see cref="ScalarSafeBatchNorm2d"/>s holding the model's own tensors, so set the training mode on the backbone,
    /// not on <paramref name="model"/>). Any other count replaces <c>conv1</c> in the feature
    /// extractor by the <see cref="MnistStem"/>; the model itself keeps its own <c>conv1</c>, which the extractor no
    /// longer uses.
    /// </param>
    public static Backbone FromResNet(string name, ResNet model, int inputChannels = 3)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);

        // TorchVision keeps fc private, but its weight [n, C] is still a named parameter.
        var channels = checked((int)model.named_parameters().Single(p => p.name == "fc.weight").parameter.shape[1]);
        // The stages run through adopted blocks whose residual addition leaves no Scalar to the finalizer (see
        // ResidualBlock), and every batch norm through a ScalarSafeBatchNorm2d holding the TorchVision module's tensors.
        var replacements = model.named_children()
            .Where(child => child.name.StartsWith("layer", StringComparison.Ordinal))
            .ToDictionary(child => child.name, child => (nn.Module<Tensor, Tensor>)ResidualBlock.AdoptStage(child.module, child.name));
        replacements["bn1"] = ScalarSafeBatchNorm2d.Adopt((TorchSharp.Modules.BatchNorm2d)model.named_children().Single(child => child.name == "bn1").module);
        if (inputChannels != 3)
        {
            replacements["conv1"] = MnistStem.Create(inputChannels);
        }

        var features = FeatureExtractor.ChildrenBefore(model, "avgpool", replacements);
        return Backbone.Create(name, features, channels, inputChannels, model);
    }

    private static (string Name, Func<ResNet> Build) Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var architecture in Architectures)
        {
            if (string.Equals(architecture.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return architecture;
            }
        }

        throw new ArgumentException($"Unknown TorchVision backbone '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }
}
