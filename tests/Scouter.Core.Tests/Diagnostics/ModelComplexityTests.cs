using Scouter.Core.Diagnostics;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Diagnostics;

public sealed class ModelComplexityTests
{
    [Fact]
    public void Measure_CountsConvBatchNormLinearAndXSlotByHand()
    {
        // Backbone: Conv2d(3→4, 3×3, padding 1) on 6×5 → 4·6·5 = 120 outputs × 3·9 = 3240 MACs;
        //           BatchNorm2d(4): 2 · 120 = 240.
        // Head (C = 4, d = 2, n = 3, s = 1, T = 3, to_k 1 layer) on the 6×5 map (hw = 30, K = 3):
        //   conv1x1: 2·30 outputs × 4 = 240; to_k Linear: 30·2 outputs × 2 = 120;
        //   attention: 3 iterations × 2 products × K·hw·d = 3·2·3·30·2 = 1080; GRU: 2 steps × K·6·d² = 2·3·24 = 144.
        // Total 3240 + 240 + 240 + 120 + 1080 + 144 = 5064.
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)));
        using var model = ScouterModel.Create(backbone, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 4, HiddenDim = 2, NumClasses = 3, SlotsPerClass = 1 }));
        model.named_parameters().Single(p => p.name == "backbone.conv.weight").parameter.requires_grad_(false);

        var complexity = ModelComplexity.Measure(model, [1, 3, 6, 5]);

        complexity.MultiplyAccumulates.Should().Be(5064);
        var total = model.parameters().Sum(p => p.numel());
        complexity.TotalParameters.Should().Be(total);
        complexity.TrainableParameters.Should().Be(total - 4 * 3 * 9);
        model.training.Should().BeTrue("the model's mode is restored");
    }

    [Fact]
    public void Measure_Resnet18At224_GivesTheWellKnown1Point8GMacs()
    {
        using var resnet = torchvision.models.resnet18();
        var complexity = ModelComplexity.Measure(resnet, [1, 3, 224, 224]);

        // thop and ptflops both report about 1.82 G for torchvision's resnet18 at 224×224; 11,689,512 parameters.
        complexity.MultiplyAccumulates.Should().BeInRange(1_810_000_000, 1_830_000_000);
        complexity.TotalParameters.Should().Be(11_689_512);
    }
}
