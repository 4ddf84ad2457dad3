using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class ClassActivationMapTests
{
    [Fact]
    public void Attribute_IsTheClassWeightedSumOfFeatureChannels()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();

        using var raw = cam.Attribute(image, ExplanationTarget.Class(0));

        using var expected = CamFamilyInputs.CamClass0();
        TensorAssert.Close(raw, expected, rtol: 0, atol: 1e-6);
        cam.TargetLayerName.Should().Be("backbone", "the 1×1 convolution is the last layer with a spatial output");
    }

    [Fact]
    public void Explain_KeepsThePositivePartNormalised()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();

        using var map = cam.Explain(image, ExplanationTarget.Class(0));

        // ReLU(A₀ − A₁) = A₀; divided by its maximum 2.
        using var expected = tensor(new float[] { 0, 0, 0, 0, 0, 1, 0.5f, 0, 0, 0, 0, 0 }).view(1, 3, 4);
        TensorAssert.Close(map, expected, rtol: 0, atol: 1e-6);
    }

    [Fact]
    public void NotClassTarget_NegatesTheClassWeights()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();

        using var map = cam.Explain(image, ExplanationTarget.NotClass(0));

        // ReLU(A₁ − A₀) = [[1,0,0,0],[0,0,0,0],[0,0,0,3]] divided by 3: the evidence against class 0.
        using var expected = tensor(new float[] { 1f / 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }).view(1, 3, 4);
        TensorAssert.Close(map, expected, rtol: 0, atol: 1e-6);
    }

    [Fact]
    public void Create_RejectsALayerThatIsNotLinear()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var act = () => ClassActivationMap.Create(model, classifierLayer: "backbone");
        act.Should().Throw<ArgumentException>().WithMessage("*backbone*Conv2d*");
    }
}
