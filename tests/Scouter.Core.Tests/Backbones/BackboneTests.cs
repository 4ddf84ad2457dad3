using Scouter.Core.Backbones;
using Scouter.Core.Tests.Support;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>Wrapping a user module as a backbone, probing its channel count.</summary>
public sealed class BackboneTests
{
    private static Sequential SmallCnn(int inputChannels = 3, int channels = 12) => nn.Sequential(
        ("conv", nn.Conv2d(inputChannels, channels, kernel_size: 3, stride: 2)),
        ("bn", nn.BatchNorm2d(channels)),
        ("relu", nn.ReLU()));

    [Fact]
    public void FromModule_ProbesTheChannelCount()
    {
        using var backbone = Backbone.FromModule("small", SmallCnn(channels: 12), probeSize: 16);

        backbone.Channels.Should().Be(12);
        backbone.Name.Should().Be("small");
        backbone.InputChannels.Should().Be(3);
        backbone.ChildNames.Should().Equal("conv", "bn", "relu");
    }

    [Fact]
    public void FromModule_ProbesWithTheRequestedInputChannels()
    {
        using var backbone = Backbone.FromModule("gray", SmallCnn(inputChannels: 1, channels: 5), inputChannels: 1, probeSize: 8);

        backbone.Channels.Should().Be(5);
        backbone.InputChannels.Should().Be(1);
    }

    [Fact]
    public void FromModule_ProbeLeavesBatchNormStatisticsAndTrainingModesAlone()
    {
        var module = SmallCnn();
        module.train();
        var bn = (BatchNorm2d)module.named_children().Single(c => c.name == "bn").module;
        bn.eval(); // a caller may keep a frozen BN in eval mode
        using (no_grad())
        {
            bn.running_mean!.fill_(0.3f);
        }

        using var backbone = Backbone.FromModule("small", module, probeSize: 16);

        bn.running_mean!.eq(0.3f).all().item<bool>().Should().BeTrue("the probe ran in evaluation mode");
        module.training.Should().BeTrue();
        bn.training.Should().BeFalse("each module's own mode is restored");
        module.named_children().Single(c => c.name == "conv").module.training.Should().BeTrue();
    }

    [Fact]
    public void FromModule_RejectsAModuleThatDoesNotReturnAFeatureMap()
    {
        var pooled = nn.Sequential(("conv", nn.Conv2d(3, 4, kernel_size: 3)), ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()));

        var act = () => Backbone.FromModule("pooled", pooled, probeSize: 8);

        act.Should().Throw<ArgumentException>().WithMessage("*'pooled'*[B, C, h, w] (rank 4)*[1, 3, 8, 8]*[1, 4]*");
    }

    [Fact]
    public void FromModule_ExplainsAFailedProbe()
    {
        var act = () => Backbone.FromModule("threeChannels", SmallCnn(inputChannels: 3), inputChannels: 1, probeSize: 8);

        act.Should().Throw<ArgumentException>().WithMessage("*'threeChannels'*probe*[1, 1, 8, 8]*failed*channels explicitly*")
            .WithInnerException<Exception>();
    }

    [Fact]
    public void FromModule_TrustsAGivenChannelCountWithoutRunningTheModule()
    {
        // Input channels 1 would make the probe fail; a given count means no forward pass at all.
        using var backbone = Backbone.FromModule("given", SmallCnn(inputChannels: 3, channels: 7), channels: 7, inputChannels: 1);

        backbone.Channels.Should().Be(7);
    }

    [Fact]
    public void FromModule_ProbeLeavesNoLiveTensors()
    {
        var module = SmallCnn();
        var before = LiveTensors.Count();

        using (Backbone.FromModule("small", module, probeSize: 16))
        {
            LiveTensors.Count().Should().Be(before);
        }
    }

    [Fact]
    public void CountParameters_CountsTheFeatures()
    {
        // conv 3·12·9 + 12 bias, bn 12 + 12
        using var backbone = Backbone.FromModule("small", SmallCnn(channels: 12), channels: 12);

        backbone.CountParameters().Should().Be(new ParameterCounts(324 + 12 + 24, 324 + 12 + 24));
    }
}
