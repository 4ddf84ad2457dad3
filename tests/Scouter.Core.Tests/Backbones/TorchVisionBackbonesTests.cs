using Scouter.Core.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>Feature extractors cut from TorchVision's ResNets; key lists come from torchvision 0.14 (make_backbone_fixtures.py).</summary>
public sealed class TorchVisionBackbonesTests
{
    [Theory]
    [InlineData("resnet18", 512)]
    [InlineData("resnet50", 2048)]
    public void Features_KeepPyTorchNamesAndShapesWithoutFc(string name, int channels)
    {
        using var backbone = TorchVisionBackbones.Create(name);
        var expected = BackboneFixtures.Keys(name).Keys.Where(k => !k.Name.StartsWith("fc.", StringComparison.Ordinal)).ToList();

        StateDictAssert.Matches(backbone.Features, expected);
        backbone.Channels.Should().Be(channels);
        backbone.ChildNames.Should().Equal("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4");
    }

    [Theory]
    [InlineData("resnet18", 512)]
    [InlineData("resnet34", 512)]
    [InlineData("resnext50_32x4d", 2048)]
    public void Features_HaveTheReportedChannels(string name, int channels)
    {
        using var backbone = TorchVisionBackbones.Create(name);
        backbone.Features.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        // 64 → 32 (conv1) → 16 (maxpool) → 16 → 8 → 4 → 2
        var map = backbone.Features.call(zeros(1, 3, 64, 64));

        map.shape.Should().Equal(1, channels, 2, 2);
        backbone.Channels.Should().Be(channels);
    }

    [Theory]
    [InlineData("resnet34")]
    // TorchSharp's own resnext101 factories build 50-layer networks; these two pin the 101-layer ones.
    [InlineData("resnext101_32x8d")]
    [InlineData("resnext101_64x4d")]
    public void Features_HaveTorchVisionsParameterCount(string name)
    {
        var (channels, parameters) = BackboneFixtures.TorchVisionFeatures(name);

        using var backbone = TorchVisionBackbones.Create(name);

        backbone.CountParameters().Total.Should().Be(parameters);
        backbone.Channels.Should().Be(channels);
    }

    [Fact]
    public void FromResNet_SharesParametersWithTheTorchVisionModel()
    {
        var resnet = torchvision.models.resnet18(num_classes: 10);
        using var backbone = TorchVisionBackbones.FromResNet("resnet18", resnet);
        var extractorWeight = backbone.Features.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter;

        using (no_grad())
        {
            extractorWeight.fill_(0.5f);
        }

        var modelWeight = resnet.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter;
        modelWeight.eq(0.5f).all().item<bool>().Should().BeTrue();
        backbone.Channels.Should().Be(512, "read from fc.weight [10, 512]");
    }

    [Theory]
    [InlineData("resnet18", 512)] // BasicBlock stages
    [InlineData("resnet50", 2048)] // Bottleneck stages
    public void FromResNet_GivesWhatTheModelComputesBeforeAveragePooling(string name, int channels)
    {
        // TorchVision's forward is fc(flatten(avgpool(features))): with fc set to pick channel c, the logits are the
        // channel means of the extractor's map. The extractor runs the stages through adopted blocks (ResidualBlock),
        // TorchVision's model through its own.
        var resnet = name == "resnet18" ? torchvision.models.resnet18(num_classes: channels) : torchvision.models.resnet50(num_classes: channels);
        using var backbone = TorchVisionBackbones.FromResNet(name, resnet);
        // Both in eval mode: the extractor's batch norms are adopted modules (ScalarSafeBatchNorm2d holding the same
        // tensors), so the TorchVision model's mode no longer reaches them.
        resnet.eval();
        backbone.Features.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (parameterName, parameter) in resnet.named_parameters().Where(p => p.name.StartsWith("fc.", StringComparison.Ordinal)))
        {
            parameter.copy_(parameterName == "fc.weight" ? eye(channels) : zeros(channels));
        }

        manual_seed(5);
        var input = randn(2, 3, 64, 64);

        Support.TensorAssert.Close(backbone.Features.call(input).mean([2L, 3L]), resnet.call(input), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void OneInputChannel_SwapsInTheMnistStem()
    {
        using var backbone = TorchVisionBackbones.Create("resnet18", inputChannels: 1);
        backbone.Features.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var stem = backbone.Features.named_parameters().Where(p => p.name.StartsWith("conv1.", StringComparison.Ordinal)).ToList();
        stem.Select(p => p.name).Should().Equal("conv1.weight");
        stem[0].parameter.shape.Should().Equal(64, 1, 3, 3);
        // 28 → 14 (3×3 stride 2) → 7 (max pool) → 7 → 4 → 2 → 1
        backbone.Features.call(zeros(2, 1, 28, 28)).shape.Should().Equal(2, 512, 1, 1);
        backbone.InputChannels.Should().Be(1);
    }

    [Fact]
    public void Create_RejectsAnUnknownNameListingTheKnownOnes()
    {
        var act = () => TorchVisionBackbones.Create("resnet19");

        act.Should().Throw<ArgumentException>().WithMessage("*'resnet19'*resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2*");
    }

    [Fact]
    public void Create_IsCaseInsensitiveAndReportsTheCanonicalName()
    {
        using var backbone = TorchVisionBackbones.Create("ResNet18");

        backbone.Name.Should().Be("resnet18");
    }
}
