using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class SmoothGradCamPlusPlusTests
{
    [Fact]
    public void Attribute_OnALinearModel_EqualsGradCamPlusPlus_BecauseNoiseCannotChangeTheGradients()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var method = SmoothGradCamPlusPlus.Create(model, samples: 3, noiseStd: 0.5);
        using var image = CamFamilyInputs.Image();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        using var expected = GradCamPlusPlusTests.ExpectedClass0();
        TensorAssert.Close(raw, expected, rtol: 1e-4, atol: 1e-6);
    }

    [Fact]
    public void Attribute_IsReproducibleForASeed_AndDependsOnIt_ForANonlinearModel()
    {
        // Explaining the convolution, whose output passes a ReLU, makes the gradients depend on the noisy input.
        manual_seed(5);
        using var backbone = nn.Sequential(nn.Conv2d(2, 3, 1), nn.ReLU());
        using var head = Scouter.Core.Modules.FcClassifierHead.Create(3, 2);
        using var model = Scouter.Core.Modules.ScouterModel.Create(backbone, head);
        using var image = randn(1, 2, 4, 5);

        using var a = SmoothGradCamPlusPlus.Create(model, targetLayer: "backbone.0", options: new SaliencyOptions { Seed = 1 });
        using var b = SmoothGradCamPlusPlus.Create(model, targetLayer: "backbone.0", options: new SaliencyOptions { Seed = 1 });
        using var c = SmoothGradCamPlusPlus.Create(model, targetLayer: "backbone.0", options: new SaliencyOptions { Seed = 2 });
        using var mapA = a.Attribute(image, ExplanationTarget.Class(0));
        using var mapB = b.Attribute(image, ExplanationTarget.Class(0));
        using var mapC = c.Attribute(image, ExplanationTarget.Class(0));

        TensorAssert.Close(mapA, mapB, rtol: 0, atol: 0);
        (mapA - mapC).abs().max().item<float>().Should().BeGreaterThan(0);
    }
}
