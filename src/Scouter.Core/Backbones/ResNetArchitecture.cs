// The TorchVision ResNet family (torchvision/models/resnet.py: ResNet, _make_layer and the resnet*/resnext*/
// wide_resnet* builders), built here module for module so the blocks can dilate (StageLayout) and own their scalars.
// Names, registration order, shapes, initialisation and computation are TorchVision's; the code is our own.
using Scouter.Core.Compat;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>One TorchVision ResNet-family architecture: block type, blocks per stage, groups and group width.</summary>
/// <param name="Name">TorchVision's name (<c>resnet50</c>, …).</param>
/// <param name="UsesBottleneck">Bottleneck blocks (expansion 4) rather than basic blocks (expansion 1).</param>
/// <param name="Blocks">Blocks in layer1 … layer4.</param>
/// <param name="Groups">Groups of the bottleneck's 3×3 convolution (ResNeXt's cardinality).</param>
/// <param name="WidthPerGroup">Bottleneck channels per group at 64 planes.</param>
internal sealed record ResNetArchitecture(string Name, bool UsesBottleneck, IReadOnlyList<int> Blocks, int Groups = 1, int WidthPerGroup = 64)
{
    private const int StemChannels = 64;

    // TorchVision's ImageNet classifier, which it builds (and so draws from the generator) before initialising.
    private const int TorchVisionClasses = 1000;

    private static readonly int[] Planes = [64, 128, 256, 512];

    /// <summary>The ten TorchVision architectures, in TorchVision's order.</summary>
    public static IReadOnlyList<ResNetArchitecture> All { get; } =
    [
        new("resnet18", false, [2, 2, 2, 2]),
        new("resnet34", false, [3, 4, 6, 3]),
        new("resnet50", true, [3, 4, 6, 3]),
        new("resnet101", true, [3, 4, 23, 3]),
        new("resnet152", true, [3, 8, 36, 3]),
        new("resnext50_32x4d", true, [3, 4, 6, 3], Groups: 32, WidthPerGroup: 4),
        new("resnext101_32x8d", true, [3, 4, 23, 3], Groups: 32, WidthPerGroup: 8),
        new("resnext101_64x4d", true, [3, 4, 23, 3], Groups: 64, WidthPerGroup: 4),
        new("wide_resnet50_2", true, [3, 4, 6, 3], WidthPerGroup: 128),
        new("wide_resnet101_2", true, [3, 4, 23, 3], WidthPerGroup: 128),
    ];

    /// <summary>Channels of the feature map: 512 for basic blocks, 2048 for bottlenecks.</summary>
    public int Channels => Planes[^1] * Expansion;

    private int Expansion => UsesBottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;

    /// <summary>
    /// Reads the architecture of a TorchSharp TorchVision <c>ResNet</c> from its parameters: block type from
    /// <c>layer1.0.conv3</c>, blocks per stage from the block indices, groups and width from <c>layer1.0.conv2.weight</c>.
    /// </summary>
    /// <param name="name">The name to give it.</param>
    /// <param name="model">The TorchVision model.</param>
    /// <exception cref="ArgumentException">The model's parameters are not those of a TorchVision ResNet.</exception>
    public static ResNetArchitecture Of(string name, nn.Module model)
    {
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape, StringComparer.Ordinal);
        var blocks = Enumerable.Range(1, 4)
            .Select(stage => shapes.Keys.Where(k => k.StartsWith($"layer{stage}.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count())
            .ToArray();
        if (blocks.Any(count => count == 0) || !shapes.TryGetValue("layer1.0.conv2.weight", out var conv2))
        {
            throw new ArgumentException($"{model.GetName()} is not a TorchVision ResNet: expected parameters under layer1 … layer4 (found blocks per stage [{string.Join(", ", blocks)}]).", nameof(model));
        }

        if (!shapes.ContainsKey("layer1.0.conv3.weight"))
        {
            return new ResNetArchitecture(name, false, blocks);
        }

        // conv2 of layer1's bottleneck is [width, width / groups, 3, 3], width = widthPerGroup · groups at 64 planes.
        var width = checked((int)conv2[0]);
        var groups = width / checked((int)conv2[1]);
        return new ResNetArchitecture(name, true, blocks, groups, width / groups);
    }

    /// <summary>
    /// The layers before average pooling, <c>conv1, bn1, relu, maxpool, layer1 … layer4</c>, initialised as TorchVision
    /// initialises the model: under the same seed their weights are those of TorchVision's model of this architecture.
    /// </summary>
    /// <param name="inputChannels">3 for TorchVision's 7×7 stem; any other count gets the <see cref="MnistStem"/>.</param>
    /// <param name="outputStride">32, 16 or 8 (<see cref="StageLayout"/>).</param>
    public Sequential CreateFeatures(int inputChannels, int outputStride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        var layouts = StageLayout.ForOutputStride(outputStride);

        var children = new List<(string Name, nn.Module<Tensor, Tensor> Module)>
        {
            ("conv1", nn.Conv2d(3, StemChannels, kernel_size: 7, stride: 2, padding: 3, bias: false)),
            ("bn1", ScalarSafeBatchNorm2d.Create(StemChannels)),
            ("relu", nn.ReLU(inplace: true)),
            ("maxpool", nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1)),
        };
        var inPlanes = StemChannels;
        for (var stage = 0; stage < Planes.Length; stage++)
        {
            children.Add(($"layer{stage + 1}", Stage(ref inPlanes, Planes[stage], Blocks[stage], layouts[stage])));
        }

        // TorchVision builds its classifier before it initialises the convolutions; building (and dropping) the same
        // Linear draws the same random numbers, so a seed gives TorchVision's weights.
        nn.Linear(Channels, TorchVisionClasses).Dispose();
        InitialiseLikeTorchVision(children.SelectMany(child => new nn.Module[] { child.Module }.Concat(child.Module.modules())));

        if (inputChannels != 3)
        {
            // As in the official code, the stem is swapped in after the network has initialised itself.
            children[0].Module.Dispose();
            children[0] = ("conv1", MnistStem.Create(inputChannels));
        }

        return nn.Sequential(children);
    }

    // TorchVision's _make_layer: the shortcut projection (built before the block) where the first block changes the
    // resolution or the width; the first block strides (or, in a dilated stage, keeps the previous dilation).
    private Sequential Stage(ref int inPlanes, int planes, int blocks, StageLayout layout)
    {
        var stage = nn.Sequential();
        for (var i = 0; i < blocks; i++)
        {
            var first = i == 0;
            var stride = first ? layout.Stride : 1;
            var downsample = first && (stride != 1 || inPlanes != planes * Expansion)
                ? nn.Sequential(
                    nn.Conv2d(inPlanes, planes * Expansion, kernel_size: 1, stride: stride, bias: false),
                    ScalarSafeBatchNorm2d.Create(planes * Expansion))
                : null;
            var firstDilation = first ? layout.FirstDilation : layout.Dilation;
            stage.append(UsesBottleneck
                ? new Bottleneck(inPlanes, planes, stride, downsample, Groups, WidthPerGroup, firstDilation)
                : new BasicBlock(inPlanes, planes, stride, downsample, firstDilation, layout.Dilation));
            inPlanes = planes * Expansion;
        }

        return stage;
    }

    // TorchVision's ResNet.__init__: Kaiming normal (fan out, ReLU) for every convolution, in module order, and
    // weight 1, bias 0 for every batch norm.
    private static void InitialiseLikeTorchVision(IEnumerable<nn.Module> modules)
    {
        using var noGrad = no_grad();
        foreach (var module in modules)
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm norm:
                    nn.init.ones_(norm.weight!);
                    nn.init.zeros_(norm.bias!);
                    break;
            }
        }
    }
}
