using Scouter.Core.Backbones;
using Scouter.Core.Tests.Support;
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

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    [InlineData("resnext50_32x4d")]
    public void Create_UnderASeed_GivesTorchVisionsInitialWeights(string name)
    {
        // TorchVision builds the whole classifier (fc included), then draws Kaiming-normal weights for every
        // convolution in module order; the backbone must draw the same numbers in the same order.
        manual_seed(11);
        using var reference = name switch
        {
            "resnet18" => torchvision.models.resnet18(),
            "resnet50" => torchvision.models.resnet50(),
            _ => torchvision.models.resnext50_32x4d(),
        };
        manual_seed(11);
        using var backbone = TorchVisionBackbones.Create(name, outputStride: 8);

        AssertSameEntries(backbone.Features, reference);
    }

    [Fact]
    public void Create_WithTheMnistStem_UnderASeed_GivesTheOfficialOrderOfInitialisation()
    {
        // The official code builds and initialises the network, then swaps in the MNIST stem.
        manual_seed(12);
        using var reference = torchvision.models.resnet18();
        using var stem = MnistStem.Create(1);
        manual_seed(12);
        using var backbone = TorchVisionBackbones.Create("resnet18", inputChannels: 1);

        TensorAssert.Identical(backbone.Features.state_dict()["conv1.weight"], stem.weight).Should().BeTrue();
        AssertSameEntries(backbone.Features, reference, except: "conv1.");
    }

    [Fact]
    public void FromResNet_CopiesTheWeightsAndSharesNothing()
    {
        using var resnet = torchvision.models.resnet18(num_classes: 10);
        using (no_grad())
        {
            resnet.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter.fill_(0.5f);
            resnet.named_buffers().Single(b => b.name == "layer2.0.bn1.running_var").buffer.fill_(3f);
        }

        using var backbone = TorchVisionBackbones.FromResNet("resnet18", resnet);
        AssertSameEntries(backbone.Features, resnet);
        var extractorWeight = backbone.Features.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter;
        using (no_grad())
        {
            extractorWeight.fill_(-1f);
        }

        var modelWeight = resnet.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter;
        modelWeight.eq(0.5f).all().item<bool>().Should().BeTrue("the backbone holds copies");
        backbone.Channels.Should().Be(512);
        backbone.OutputStride.Should().Be(32);
    }

    [Fact]
    public void FromResNet_ReadsTheArchitectureOfAResNeXt()
    {
        // TorchSharp's own resnext101 factories build 50-layer networks; the architecture comes from the parameters.
        using var resnext = torchvision.models.resnext101_32x8d(num_classes: 3);
        using var backbone = TorchVisionBackbones.FromResNet("resnext101_32x8d_50_layers", resnext);

        AssertSameEntries(backbone.Features, resnext);
        backbone.Channels.Should().Be(2048);
    }

    [Fact]
    public void FromResNet_WithTheMnistStem_CopiesEverythingButTheStem()
    {
        using var resnet = torchvision.models.resnet18(num_classes: 10);
        using var backbone = TorchVisionBackbones.FromResNet("resnet18", resnet, inputChannels: 1, outputStride: 16);

        backbone.Features.state_dict()["conv1.weight"].shape.Should().Equal(64, 1, 3, 3);
        AssertSameEntries(backbone.Features, resnet, except: "conv1.");
        backbone.OutputStride.Should().Be(16);
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

    [Theory]
    [InlineData(8)] // layer3 and layer4 dilated, layer4's first block at the previous dilation 2
    public void DilatedResNet50_ComputesWhatTorchVisionsReplaceStrideWithDilationComputes(int outputStride)
    {
        // TorchSharp's TorchVision port of replace_stride_with_dilation (bottleneck networks only), same weights.
        var dilate = outputStride == 16 ? (false, false, true) : (false, true, true);
        using var resnet = torchvision.models.resnet50(num_classes: 2048, replace_stride_with_dilation: dilate);
        using var backbone = TorchVisionBackbones.FromResNet("resnet50", resnet, outputStride: outputStride);
        resnet.eval();
        backbone.Features.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (parameterName, parameter) in resnet.named_parameters().Where(p => p.name.StartsWith("fc.", StringComparison.Ordinal)))
        {
            parameter.copy_(parameterName == "fc.weight" ? eye(2048) : zeros(2048));
        }

        manual_seed(6);
        var input = randn(2, 3, 64, 64);
        var map = backbone.Features.call(input);

        map.shape.Should().Equal(2, 2048, 64 / outputStride, 64 / outputStride);
        TensorAssert.Close(map.mean([2L, 3L]), resnet.call(input), rtol: 1e-5, atol: 1e-6);
    }

    [Theory]
    [InlineData("resnet50", 16)]
    [InlineData("resnet50", 8)]
    [InlineData("resnet18", 8)]
    public void DilatedForward_MatchesPyTorchsFixture(string name, int outputStride)
    {
        // resnet50: torchvision's replace_stride_with_dilation; resnet18: timm's dilated BasicBlock (torchvision refuses).
        var fixture = new BackboneFixtures.StridedForward(name, outputStride);
        using var backbone = TorchVisionBackbones.Create(name, outputStride: outputStride);
        DeterministicWeights.Fill(backbone.Features);
        backbone.Features.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var features = backbone.Features.call(DeterministicWeights.Input(fixture.InputShape));

        // float32 through up to 16 blocks, summed in another order than PyTorch 1.13's (and differently with the thread
        // count): 1.4e-5 relative was seen; a wrong dilation or padding changes values by O(1).
        StridedFixtureAssert.Matches(features, fixture, rtol: 1e-4, atol: 1e-4);
    }

    [Fact]
    public void Create_RejectsAnUnknownNameListingTheKnownOnes()
    {
        var act = () => TorchVisionBackbones.Create("resnet19");

        act.Should().Throw<ArgumentException>().WithMessage("*'resnet19'*resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(64)]
    public void Create_RejectsAnOutputStrideOtherThan32_16Or8(int outputStride)
    {
        var act = () => TorchVisionBackbones.Create("resnet18", outputStride: outputStride);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("outputStride").WithMessage($"*32*16*8*got {outputStride}*");
    }

    [Fact]
    public void Create_IsCaseInsensitiveAndReportsTheCanonicalName()
    {
        using var backbone = TorchVisionBackbones.Create("ResNet18");

        backbone.Name.Should().Be("resnet18");
    }

    /// <summary>Every parameter and buffer of <paramref name="features"/> equals the TorchVision model's entry of the same name, bit for bit.</summary>
    private static void AssertSameEntries(nn.Module features, nn.Module torchVision, string? except = null)
    {
        var expected = torchVision.state_dict();
        var entries = features.state_dict().Where(e => except is null || !e.Key.StartsWith(except, StringComparison.Ordinal)).ToList();
        entries.Should().NotBeEmpty();
        foreach (var (name, tensor) in entries)
        {
            TensorAssert.Identical(tensor, expected[name]).Should().BeTrue(name);
        }

        features.state_dict().Keys.Should().BeEquivalentTo(expected.Keys.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal)));
    }
}
