using Scouter.Core.Explanations.Cam;
using Scouter.Core.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class TargetLayerTests
{
    [Fact]
    public void Locate_SkipsLayersWhoseOutputHasNoSpatialExtent()
    {
        // conv → ReLU → adaptive pool to 1×1: the pool's (and the Sequential's) 1×1 output is not a map, the ReLU's is.
        using var backbone = nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1));
        using var head = FcClassifierHead.Create(4, 2);
        using var model = ScouterModel.Create(backbone, head);
        using var probe = randn(1, 3, 5, 7);

        TargetLayer.Locate(model, probe).Should().Be("backbone.1");
    }

    [Fact]
    public void Locate_ReportsWhenNoLayerIsSpatial()
    {
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2));
        using var probe = randn(1, 3, 2, 2);

        var act = () => TargetLayer.Locate(model, probe);

        act.Should().Throw<InvalidOperationException>().WithMessage("*No layer*spatial*Name the target layer*");
    }

    [Fact]
    public void Resolve_ListsTheLayersWhenTheNameIsUnknown()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var act = () => TargetLayer.Resolve(model, "layer4");
        act.Should().Throw<ArgumentException>().WithMessage("*no layer named 'layer4'*backbone*fc*");
    }
}
