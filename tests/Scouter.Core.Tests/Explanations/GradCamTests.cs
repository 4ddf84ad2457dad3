using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class GradCamTests
{
    [Fact]
    public void Attribute_OnAPooledLinearModel_IsCamDividedByTheMapSize()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var gradCam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();

        using var raw = gradCam.Attribute(image, ExplanationTarget.Class(0));

        // ∂score₀/∂A_k(i,j) = W₀k / (h·w) = W₀k / 12 everywhere, so the weights are W₀ / 12.
        using var expected = CamFamilyInputs.CamClass0() / 12;
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-7);
    }

    [Fact]
    public void Attribute_LeavesTheModelsParameterGradientsUntouched()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var gradCam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();

        using var raw = gradCam.Attribute(image, ExplanationTarget.Class(1));

        foreach (var parameter in model.parameters())
        {
            (parameter.grad is null || parameter.grad.abs().sum().item<float>() == 0).Should().BeTrue("autograd.grad must not accumulate into .grad");
        }
    }

    [Fact]
    public void Explain_WorksUnderNoGrad()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var gradCam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();
        using var noGrad = no_grad();

        using var map = gradCam.Explain(image, ExplanationTarget.Class(0));

        map[0, 1, 1].item<float>().Should().Be(1f, "the strongest positive evidence is A₀(1,1) = 2");
    }
}
