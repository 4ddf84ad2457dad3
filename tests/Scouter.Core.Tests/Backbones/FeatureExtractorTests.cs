using Scouter.Core.Backbones;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

public sealed class FeatureExtractorTests
{
    private static nn.Module Classifier() => nn.Sequential(
        ("conv1", nn.Conv2d(3, 4, kernel_size: 3)),
        ("layer1", nn.Conv2d(4, 4, kernel_size: 1)),
        ("avgpool", nn.AdaptiveAvgPool2d(1)),
        ("fc", nn.Linear(4, 2)));

    [Fact]
    public void ChildrenBefore_KeepsTheChildrenBeforeTheStopUnderTheirNames()
    {
        var model = Classifier();

        using var features = FeatureExtractor.ChildrenBefore(model, "avgpool");

        features.named_children().Select(c => c.name).Should().Equal("conv1", "layer1");
        features.state_dict().Keys.Should().Equal("conv1.weight", "conv1.bias", "layer1.weight", "layer1.bias");
        features.named_children().First().module.Should().BeSameAs(model.named_children().First().module);
    }

    [Fact]
    public void ChildrenBefore_SwapsInReplacementsUnderTheSameName()
    {
        var stem = nn.Conv2d(1, 4, kernel_size: 3);

        using var features = FeatureExtractor.ChildrenBefore(Classifier(), "avgpool", new Dictionary<string, nn.Module<Tensor, Tensor>> { ["conv1"] = stem });

        features.named_children().First().module.Should().BeSameAs(stem);
        features.state_dict()["conv1.weight"].shape.Should().Equal(4, 1, 3, 3);
    }

    [Fact]
    public void ChildrenBefore_RejectsAnUnknownStopListingTheChildren()
    {
        var act = () => FeatureExtractor.ChildrenBefore(Classifier(), "global_pool");

        act.Should().Throw<ArgumentException>().WithMessage("*'global_pool'*conv1, layer1, avgpool, fc*");
    }

    [Fact]
    public void ChildrenBefore_RejectsAReplacementOfAMissingChild()
    {
        var act = () => FeatureExtractor.ChildrenBefore(Classifier(), "avgpool", new Dictionary<string, nn.Module<Tensor, Tensor>> { ["fc"] = nn.Identity() });

        act.Should().Throw<ArgumentException>().WithMessage("*fc*conv1, layer1*");
    }
}
