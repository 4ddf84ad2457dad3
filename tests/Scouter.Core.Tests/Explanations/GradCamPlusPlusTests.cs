using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class GradCamPlusPlusTests
{
    // With a constant gradient g_k = W₀k/12 per channel, α_k = g²/(2g² + S_k g³) = 1/(2 + S_k g_k), S_k = Σ A_k:
    // α₀ = 1/(2 + 3/12) = 4/9, α₁ = 1/(2 − 4/12) = 3/5. w_k = Σ_ij α_k ReLU(g_k) = 12 · α_k · ReLU(g_k):
    // w₀ = 4/9, w₁ = 0 (negative gradient). The map is (4/9)·A₀.
    internal static Tensor ExpectedClass0() => tensor(new float[] { 0, 0, 0, 0, 0, 8f / 9, 4f / 9, 0, 0, 0, 0, 0 }).view(1, 3, 4);

    [Fact]
    public void Attribute_MatchesTheClosedFormForConstantGradients()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var method = GradCamPlusPlus.Create(model);
        using var image = CamFamilyInputs.Image();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        using var expected = ExpectedClass0();
        TensorAssert.Close(raw, expected, rtol: 1e-4, atol: 1e-6);
    }

    [Fact]
    public void Attribute_ForClass2_WeighsBothChannelsByTheirOwnAlpha()
    {
        // W₂ = (0.5, 0.5): g = 1/24 for both channels. α₀ = 1/(2 + 3/24) = 8/17, α₁ = 1/(2 + 4/24) = 6/13;
        // w_k = 12 · α_k / 24 = α_k / 2 → map = (4/17)·A₀ + (3/13)·A₁.
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var method = GradCamPlusPlus.Create(model);
        using var image = CamFamilyInputs.Image();

        using var raw = method.Attribute(image, ExplanationTarget.Class(2));

        float a = 4f / 17, b = 3f / 13;
        using var expected = tensor(new[] { b, 0, 0, 0, 0, 2 * a, a, 0, 0, 0, 0, 3 * b }).view(1, 3, 4);
        TensorAssert.Close(raw, expected, rtol: 1e-4, atol: 1e-6);
    }
}
