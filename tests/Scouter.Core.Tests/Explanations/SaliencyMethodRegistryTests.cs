using Scouter.Core.Explanations.Cam;

namespace Scouter.Core.Tests.Explanations;

public sealed class BaselineMethodsTests
{
    [Fact]
    public void Create_BuildsEveryNamedMethod_ForgivingCaseAndPunctuation()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var expected = new[] { "CAM", "Grad-CAM", "Grad-CAM++", "Smooth Grad-CAM++", "Score-CAM", "SS-CAM", "IS-CAM", "RISE", "Extremal Perturbation", "I-GOS", "IBA" };

        var created = BaselineMethods.Names.Select(n => BaselineMethods.Create(n, model)).ToList();

        created.Select(m => m.Name).Should().Equal(expected);
        created.ForEach(m => m.Dispose());
        using var spelled = BaselineMethods.Create("Smooth Grad-CAM++", model);
        spelled.Should().BeOfType<SmoothGradCamPlusPlus>();
    }

    [Fact]
    public void Create_ListsTheKnownNamesForAnUnknownOne()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var act = () => BaselineMethods.Create("lime", model);
        act.Should().Throw<ArgumentException>().WithMessage("*'lime'*cam, gradcam*iba*");
    }
}
