using Scouter.Core.Backbones;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

public sealed class BackboneRegistryTests
{
    private static readonly string[] BuiltIns =
    [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
        "resnest26d", "resnest50d",
    ];

    private static Backbone Tiny(string name, int inputChannels) =>
        Backbone.FromModule(name, nn.Sequential(("conv1", nn.Conv2d(inputChannels, 6, kernel_size: 3, stride: 2))), inputChannels: inputChannels, probeSize: 9);

    [Fact]
    public void NewRegistry_HoldsTheBuiltIns()
    {
        new BackboneRegistry().Names.Should().Equal(BuiltIns);
    }

    [Fact]
    public void Create_RejectsAnUnknownNameListingTheKnownOnes()
    {
        var act = () => new BackboneRegistry().Create("resnest101e");

        act.Should().Throw<ArgumentException>().WithParameterName("name")
            .WithMessage("Unknown backbone 'resnest101e'. Known backbones: " + string.Join(", ", BuiltIns) + ".*");
    }

    [Fact]
    public void Create_ResNeSt_GivesTheTimmFeatureExtractor()
    {
        using var backbone = new BackboneRegistry().Create("ResNeSt26D");

        backbone.Name.Should().Be("resnest26d");
        backbone.Channels.Should().Be(2048);
        backbone.ChildNames.Should().Equal("conv1", "bn1", "act1", "maxpool", "layer1", "layer2", "layer3", "layer4");
        StateDictAssert.Matches(backbone.Features, BackboneFixtures.Keys("resnest26d").Keys.Where(k => !k.Name.StartsWith("fc.", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public void Create_PassesInputChannelsToTheBuiltIns()
    {
        using var backbone = new BackboneRegistry().Create("resnet34", inputChannels: 1);

        backbone.InputChannels.Should().Be(1);
        backbone.Features.state_dict()["conv1.weight"].shape.Should().Equal(64, 1, 3, 3);
    }

    [Fact]
    public void Register_AddsAUserBackboneFoundRegardlessOfCase()
    {
        var registry = new BackboneRegistry();
        registry.Register("tiny_cnn", inputChannels => Tiny("tiny_cnn", inputChannels));

        using var backbone = registry.Create("TINY_CNN", inputChannels: 1);

        backbone.Name.Should().Be("tiny_cnn");
        backbone.Channels.Should().Be(6);
        backbone.InputChannels.Should().Be(1);
        registry.Contains("Tiny_Cnn").Should().BeTrue();
        registry.Names.Should().EndWith("tiny_cnn");
    }

    [Fact]
    public void Register_RejectsATakenNameUnlessReplacing()
    {
        var registry = new BackboneRegistry();

        var act = () => registry.Register("RESNET18", inputChannels => Tiny("mine", inputChannels));

        act.Should().Throw<ArgumentException>().WithMessage("*'resnet18' is already registered*replace: true*");
        registry.Register("RESNET18", inputChannels => Tiny("mine", inputChannels), replace: true);
        using var backbone = registry.Create("resnet18");
        backbone.Name.Should().Be("mine");
        registry.Names.Count(n => n.Equals("resnet18", StringComparison.OrdinalIgnoreCase)).Should().Be(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my net")]
    public void Register_RejectsEmptyOrSpacedNames(string name)
    {
        var act = () => new BackboneRegistry().Register(name, inputChannels => Tiny(name, inputChannels));

        act.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    [Fact]
    public void Create_RejectsAFactoryThatIgnoresInputChannels()
    {
        var registry = new BackboneRegistry();
        registry.Register("rgb_only", _ => Tiny("rgb_only", 3));

        var act = () => registry.Create("rgb_only", inputChannels: 1);

        act.Should().Throw<InvalidOperationException>().WithMessage("*'rgb_only'*1 input channels*3*");
    }

    [Theory]
    [InlineData("resnet34", 16)]
    [InlineData("resnest50d", 8)]
    public void Create_PassesTheOutputStrideToTheBuiltIns(string name, int stride)
    {
        using var backbone = new BackboneRegistry().Create(name, new BackboneOptions { OutputStride = stride });

        backbone.OutputStride.Should().Be(stride);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(24)]
    public void Create_RejectsAnUnsupportedOutputStrideNamingTheAllowedOnes(int stride)
    {
        var act = () => new BackboneRegistry().Create("resnet18", new BackboneOptions { OutputStride = stride });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("OutputStride").WithMessage($"*32*16*8*got {stride}*");
    }

    [Fact]
    public void AnInputChannelFactory_BuildsAtStride32AndRefusesOthersClearly()
    {
        var registry = new BackboneRegistry();
        registry.Register("tiny_cnn", inputChannels => Tiny("tiny_cnn", inputChannels));

        using (var backbone = registry.Create("tiny_cnn", new BackboneOptions { InputChannels = 1 }))
        {
            backbone.Channels.Should().Be(6);
        }

        var act = () => registry.Create("tiny_cnn", new BackboneOptions { OutputStride = 16 });
        act.Should().Throw<NotSupportedException>().WithMessage("*'tiny_cnn'*input channels only*output stride 16*Func<BackboneOptions, Backbone>*");
    }

    [Fact]
    public void AnOptionsFactory_GetsTheOptionsAndMustBuildTheStrideAsked()
    {
        var registry = new BackboneRegistry();
        var seen = new List<BackboneOptions>();
        registry.Register("honest", options =>
        {
            seen.Add(options);
            return Backbone.FromModule("honest", nn.Sequential(("conv1", nn.Conv2d(options.InputChannels, 6, kernel_size: 3, stride: options.OutputStride))),
                channels: 6, inputChannels: options.InputChannels, outputStride: options.OutputStride);
        });
        registry.Register("ignores_stride", options => Tiny("ignores_stride", options.InputChannels));

        using (var backbone = registry.Create("honest", new BackboneOptions { InputChannels = 2, OutputStride = 8 }))
        {
            backbone.OutputStride.Should().Be(8);
        }

        seen.Should().Equal(new BackboneOptions { InputChannels = 2, OutputStride = 8 });
        using (registry.Create("ignores_stride"))
        {
            // Stride 32 asks for the module as built.
        }

        var act = () => registry.Create("ignores_stride", new BackboneOptions { OutputStride = 16 });
        act.Should().Throw<InvalidOperationException>().WithMessage("*'ignores_stride'*output stride 16*does not state its output stride*");
    }

    [Fact]
    public void Registrations_OnOneRegistryDoNotLeakIntoAnother()
    {
        var registry = new BackboneRegistry();
        registry.Register("only_here", inputChannels => Tiny("only_here", inputChannels));

        new BackboneRegistry().Contains("only_here").Should().BeFalse();
        BackboneRegistry.Default.Contains("only_here").Should().BeFalse();
    }
}
