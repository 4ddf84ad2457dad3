using Scouter.Core.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>The official freeze_layers rule; expected counts come from make_backbone_fixtures.py (PyTorch, same rule).</summary>
public sealed class LayerFreezingTests
{
    public static TheoryData<string> Models => new(["resnet18", "resnest26d", "resnest50d"]);

    private static void Unfreeze(Backbone backbone)
    {
        foreach (var parameter in backbone.Features.parameters())
        {
            parameter.requires_grad_(true);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void FreezeLayers_LeavesTheOfficialNumberOfParametersTrainable(string name)
    {
        using var backbone = BackboneRegistry.Default.Create(name);
        for (var k = 0; k <= 4; k++)
        {
            Unfreeze(backbone);
            var (trainable, total) = BackboneFixtures.FreezeCounts(name, k);

            var counts = backbone.FreezeLayers(k);

            counts.Should().Be(new ParameterCounts(trainable, total), $"freeze_layers {k}");
            backbone.CountParameters().Should().Be(counts);
        }
    }

    [Fact]
    public void FreezeLayers2_TrainsExactlyLayer3AndLayer4()
    {
        using var backbone = BackboneRegistry.Default.Create("resnet18");

        backbone.FreezeLayers(2);

        foreach (var (name, parameter) in backbone.Features.named_parameters())
        {
            var shouldTrain = name.StartsWith("layer3.", StringComparison.Ordinal) || name.StartsWith("layer4.", StringComparison.Ordinal);
            parameter.requires_grad.Should().Be(shouldTrain, name);
        }
    }

    [Fact]
    public void FreezeLayers_KeepsChildrenWhoseNameContainsAKeptStage()
    {
        // The official rule matches by substring: "layer4_extra" contains "layer4".
        var module = nn.Sequential(
            ("stem", nn.Linear(2, 2)),
            ("layer4_extra", nn.Linear(2, 2)),
            ("layer3", nn.Linear(2, 2)));

        var counts = LayerFreezing.FreezeLayers(module, 3);

        counts.Should().Be(new ParameterCounts(Trainable: 6, Total: 18));
        module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).Should().Equal("layer4_extra.weight", "layer4_extra.bias");
    }

    [Fact]
    public void FreezeLayers_NeverUnfreezes()
    {
        using var backbone = BackboneRegistry.Default.Create("resnet18");
        backbone.FreezeLayers(4);

        var counts = backbone.FreezeLayers(0);

        counts.Trainable.Should().Be(0, "k = 0 changes nothing, as in the official code");
    }

    [Fact]
    public void FrozenBatchNorm_StillUpdatesRunningStatisticsInTrainingMode()
    {
        using var backbone = BackboneRegistry.Default.Create("resnet18");
        backbone.FreezeLayers(4);
        backbone.Features.train();
        var bn1 = (BatchNorm)backbone.Features.named_children().Single(c => c.name == "bn1").module;
        using var before = bn1.running_mean!.clone();
        using var scope = NewDisposeScope();
        manual_seed(1);

        using (no_grad())
        {
            backbone.Features.call(randn(2, 3, 32, 32) + 1);
        }

        bn1.running_mean!.equal(before).all().item<bool>().Should().BeFalse("requires_grad does not stop BatchNorm's statistics");
        bn1.weight!.requires_grad.Should().BeFalse();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void FreezeLayers_RejectsKOutsideZeroToFour(int k)
    {
        using var backbone = Backbone.FromModule("tiny", nn.Sequential(("layer1", nn.Conv2d(3, 2, 1))), channels: 2);

        var act = () => backbone.FreezeLayers(k);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("freezeLayers").WithMessage($"*[0, 4]*got {k}*");
    }
}
