using Scouter.Core.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>
/// Output strides 32, 16 and 8 of the built-in backbones: the map sizes they give, and what they leave alone (names,
/// shapes, freezing). Numbers against PyTorch are in <see cref="TorchVisionBackbonesTests"/> and <see cref="ResNeStTests"/>.
/// </summary>
public sealed class OutputStrideTests
{
    public static TheoryData<string, int> Backbones => new()
    {
        { "resnet18", 3 },
        { "resnet50", 3 },
        { "resnest26d", 3 },
        { "resnet18", 1 }, // the MNIST stem
    };

    [Theory]
    [MemberData(nameof(Backbones))]
    public void FeatureMaps_At64_128And260Pixels(string name, int inputChannels)
    {
        // Every stem (7×7, deep, MNIST) and every downsampling layer (3×3 convs with padding 1, the max pool, ResNeSt's
        // avd pools) maps a side s to ceil(s / 2): 64 → 32 → 16 (stem) → 16 → 8 → 4 → 2, 260 → 130 → 65 → 65 → 33 →
        // 17 → 9. Stride 16 stops after layer3, stride 8 after layer2.
        var expected = new Dictionary<int, long[]>
        {
            [32] = [2, 4, 9],
            [16] = [4, 8, 17],
            [8] = [8, 16, 33],
        };
        int[] sizes = [64, 128, 260];
        foreach (var (stride, sides) in expected)
        {
            using var backbone = BackboneRegistry.Default.Create(name, new BackboneOptions { InputChannels = inputChannels, OutputStride = stride });
            backbone.Features.eval();
            backbone.OutputStride.Should().Be(stride);
            for (var i = 0; i < sizes.Length; i++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var map = backbone.Features.call(zeros(1, inputChannels, sizes[i], sizes[i]));
                map.shape.Should().Equal([1, backbone.Channels, sides[i], sides[i]], $"{name} at {sizes[i]} px, output stride {stride}");
            }
        }
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    [InlineData("resnext50_32x4d")]
    [InlineData("resnest26d")]
    public void StateDict_IsTheSameAtEveryStride(string name)
    {
        using var reference = BackboneRegistry.Default.Create(name);
        var expected = reference.Features.state_dict().Select(e => (e.Key, e.Value.shape)).ToList();
        foreach (var stride in new[] { 16, 8 })
        {
            using var backbone = BackboneRegistry.Default.Create(name, new BackboneOptions { OutputStride = stride });
            StateDictAssert.Matches(backbone.Features, expected);
            backbone.Features.named_parameters().Select(p => p.name).Should().Equal(reference.Features.named_parameters().Select(p => p.name), "parameters() order");
        }
    }

    [Fact]
    public void ImageNetStyleWeights_LoadAtAnyStride()
    {
        // Weights saved from a stride-32 backbone load strictly into a stride-8 one (what ImageNet weights and use_pre do).
        using var source = BackboneRegistry.Default.Create("resnet50");
        using var target = BackboneRegistry.Default.Create("resnet50", new BackboneOptions { OutputStride = 8 });

        var report = Scouter.Core.Interop.StateDictLoader.Load(target.Features, source.Features.state_dict());

        report.Loaded.Should().HaveCount(source.Features.state_dict().Count);
        Support.TensorAssert.Identical(target.Features.state_dict()["layer4.2.conv2.weight"], source.Features.state_dict()["layer4.2.conv2.weight"]).Should().BeTrue();
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnest26d")]
    public void FreezeLayers_CountsAreTheSameAtEveryStride(string name)
    {
        foreach (var stride in new[] { 16, 8 })
        {
            for (var k = 0; k <= 4; k++)
            {
                using var backbone = BackboneRegistry.Default.Create(name, new BackboneOptions { OutputStride = stride });
                var (trainable, total) = BackboneFixtures.FreezeCounts(name, k);

                backbone.FreezeLayers(k).Should().Be(new ParameterCounts(trainable, total), $"freeze_layers {k} at output stride {stride}");
            }
        }
    }

    [Fact]
    public void ResNet18AtStride8_DilatesLayer3And4AsTimmDoes()
    {
        // timm's BasicBlock: conv1 takes the previous stage's dilation in a stage's first block, conv2 the stage's.
        // Plain Conv2d modules, so exporters read dilation and padding from them.
        using var backbone = TorchVisionBackbones.Create("resnet18", outputStride: 8);
        var convs = backbone.Features.named_modules().Where(m => m.module is Conv2d).ToDictionary(m => m.name, m => (Conv2d)m.module);

        (long Stride, long Dilation, long Padding) Of(string conv) => (convs[conv].stride[0], convs[conv].dilation[0], convs[conv].padding![0]);

        Of("layer2.0.conv1").Should().Be((2, 1, 1));
        Of("layer3.0.conv1").Should().Be((1, 1, 1));
        Of("layer3.0.conv2").Should().Be((1, 2, 2));
        Of("layer3.0.downsample.0").Should().Be((1, 1, 0));
        Of("layer3.1.conv1").Should().Be((1, 2, 2));
        Of("layer4.0.conv1").Should().Be((1, 2, 2));
        Of("layer4.0.conv2").Should().Be((1, 4, 4));
        Of("layer4.1.conv1").Should().Be((1, 4, 4));
        Of("layer4.1.conv2").Should().Be((1, 4, 4));
    }

    [Fact]
    public void ResNet50AtStride16_DilatesLayer4AsTorchVisionDoes()
    {
        // replace_stride_with_dilation = [False, False, True]: the first block's 3×3 keeps the previous dilation (1).
        using var backbone = TorchVisionBackbones.Create("resnet50", outputStride: 16);
        var convs = backbone.Features.named_modules().Where(m => m.module is Conv2d).ToDictionary(m => m.name, m => (Conv2d)m.module);

        (long Stride, long Dilation) Of(string conv) => (convs[conv].stride[0], convs[conv].dilation[0]);

        Of("layer3.0.conv2").Should().Be((2, 1));
        Of("layer4.0.conv2").Should().Be((1, 1));
        Of("layer4.0.downsample.0").Should().Be((1, 1));
        Of("layer4.1.conv2").Should().Be((1, 2));
        Of("layer4.2.conv2").Should().Be((1, 2));
    }

    [Fact]
    public void StageLayouts_FollowTimmsMakeBlocks()
    {
        StageLayout.ForOutputStride(32).Should().Equal(new StageLayout(1, 1, 1), new StageLayout(2, 1, 1), new StageLayout(2, 1, 1), new StageLayout(2, 1, 1));
        StageLayout.ForOutputStride(16).Should().Equal(new StageLayout(1, 1, 1), new StageLayout(2, 1, 1), new StageLayout(2, 1, 1), new StageLayout(1, 2, 1));
        StageLayout.ForOutputStride(8).Should().Equal(new StageLayout(1, 1, 1), new StageLayout(2, 1, 1), new StageLayout(1, 2, 1), new StageLayout(1, 4, 2));
    }
}
