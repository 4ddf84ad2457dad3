using Scouter.Core.Backbones;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class ScouterModelTests
{
    private static nn.Module<Tensor, Tensor> TinyBackbone() =>
        nn.Sequential(("conv", nn.Conv2d(3, 6, 3, stride: 2, padding: 1)), ("act", nn.ReLU()));

    [Fact]
    public void StateDict_HasTheOfficialTopLevelLayout()
    {
        using var model = ScouterModel.Create(TinyBackbone(), XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 2 }));

        model.state_dict().Keys.Should().BeEquivalentTo(
            "backbone.conv.weight", "backbone.conv.bias",
            "conv1x1.weight", "conv1x1.bias", "slot.initial_slots",
            "slot.to_k.0.weight", "slot.to_k.0.bias",
            "slot.gru.weight_ih_l0", "slot.gru.weight_hh_l0", "slot.gru.bias_ih_l0", "slot.gru.bias_hh_l0");
    }

    [Fact]
    public void CreateFromBackbone_TakesTheChannelsFromTheBackbone()
    {
        using var backbone = Backbone.FromModule("tiny", TinyBackbone(), probeSize: 8); // 6 channels, found by the probe
        var options = new ClassifierHeadOptions { Channels = 512, HiddenDim = 8, NumClasses = 2 };

        using var model = ScouterModel.Create(backbone, options);

        model.Head.Should().BeOfType<XSlotClassifier>().Which.Channels.Should().Be(6);
        model.state_dict()["conv1x1.weight"].shape.Should().Equal(8, 6, 1, 1);
        options.Channels.Should().Be(512, "the caller's options are not modified");
        using var scores = model.call(zeros(1, 3, 8, 8));
        scores.shape.Should().Equal(1, 2);
    }

    [Fact]
    public void CreateFromBackbone_BuildsTheFcHeadWhenUseSlotIsFalse()
    {
        using var backbone = Backbone.FromModule("tiny", TinyBackbone(), channels: 6);

        using var model = ScouterModel.Create(backbone, new ClassifierHeadOptions { NumClasses = 3, UseSlot = false });

        model.Head.Should().BeOfType<FcClassifierHead>();
        model.state_dict().Keys.Should().BeEquivalentTo("backbone.conv.weight", "backbone.conv.bias", "fc.weight", "fc.bias");
        model.state_dict()["fc.weight"].shape.Should().Equal(3, 6);
    }

    [Fact]
    public void FcModel_StateDictHasBackboneAndFc()
    {
        using var model = ScouterModel.Create(TinyBackbone(), FcClassifierHead.Create(6, 2));
        model.state_dict().Keys.Should().BeEquivalentTo("backbone.conv.weight", "backbone.conv.bias", "fc.weight", "fc.bias");
    }

    [Fact]
    public void FcHead_AveragesThePoolThenAppliesTheLinearLayer()
    {
        using var head = FcClassifierHead.Create(2, 1);
        Parameters.Set(head, "fc.weight", [1, -2], 1, 2);
        Parameters.Set(head, "fc.bias", [0.5f], 1);
        // Channel means 2 and 1 → 1·2 − 2·1 + 0.5 = 0.5.
        using var features = tensor(new float[] { 1, 3, 0, 2 }).reshape(1, 2, 1, 2);

        using var output = head.ForwardDetailed(features);

        output.Scores.item<float>().Should().BeApproximately(0.5f, 1e-6f);
        output.SlotAttention.Should().BeNull();
        output.ClassMaps.Should().BeNull();
    }

    [Fact]
    public void TrainAndEval_ReachTheHead()
    {
        using var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 2 });
        using var model = ScouterModel.Create(TinyBackbone(), head);

        model.eval();
        head.training.Should().BeFalse();
        model.train();
        head.training.Should().BeTrue();
    }

    [Fact]
    public void Resnet18FeatureExtractor_WithXSlotHead_TrainsOneStep()
    {
        manual_seed(11);
        using var resnet = torchvision.models.resnet18(num_classes: 10);
        // Everything before average pooling, sharing the ResNet's parameters.
        var features = nn.Sequential(resnet.named_children().TakeWhile(c => c.name != "avgpool").Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray());
        using var model = ScouterModel.Create(features, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 512, NumClasses = 3, SlotsPerClass = 2 }));
        using var loss = ScouterLoss.Create(1, 2);
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.01);
        using var images = randn(2, 3, 96, 80);
        using var labels = tensor(new long[] { 0, 2 });
        using var before = model.named_parameters().Single(p => p.name == "backbone.conv1.weight").parameter.detach().clone();

        using (var scope = NewDisposeScope())
        {
            var output = model.ForwardDetailed(images);
            output.ClassMaps!.shape.Should().Equal(2, 3, 3, 3); // 96×80 → 3×3 after the stride-32 backbone
            var result = loss.call(output, labels);
            result.Total.backward();
            optimizer.step();
        }

        var after = model.named_parameters().Single(p => p.name == "backbone.conv1.weight").parameter;
        after.detach().sub(before).abs().sum().item<float>().Should().BeGreaterThan(0f, "the step updates the backbone through the head");
        model.state_dict().Keys.Should().Contain(["backbone.conv1.weight", "backbone.layer4.1.bn2.running_var", "conv1x1.weight", "slot.initial_slots"]);
    }

    [Fact]
    public void Forward_RejectsImagesOfTheWrongRank()
    {
        using var model = ScouterModel.Create(TinyBackbone(), FcClassifierHead.Create(6, 2));
        using var images = zeros(3, 32, 32);
        var act = () => model.call(images);
        act.Should().Throw<ArgumentException>().WithMessage("*images [B, channels, H, W]*[3, 32, 32]*");
    }
}
