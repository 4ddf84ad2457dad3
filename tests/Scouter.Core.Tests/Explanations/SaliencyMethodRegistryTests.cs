using Scouter.Core.Explanations.Cam;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class SaliencyMethodRegistryTests
{
    [Fact]
    public void Create_BuildsEveryNamedMethod_ForgivingCaseAndPunctuation()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var expected = new[] { "CAM", "Grad-CAM", "Grad-CAM++", "Smooth Grad-CAM++", "Score-CAM", "SS-CAM", "IS-CAM", "RISE", "Extremal Perturbation", "I-GOS", "IBA" };

        var created = SaliencyMethodRegistry.Default.Names.Select(n => SaliencyMethodRegistry.Default.Create(n, model)).ToList();

        created.Select(m => m.Name).Should().Equal(expected);
        created.ForEach(m => m.Dispose());
        using var spelled = SaliencyMethodRegistry.Default.Create("Smooth Grad-CAM++", model);
        spelled.Should().BeOfType<SmoothGradCamPlusPlus>();
    }

    [Fact]
    public void Create_ListsTheKnownNamesForAnUnknownOne()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var act = () => SaliencyMethodRegistry.Default.Create("lime", model);
        act.Should().Throw<ArgumentException>().WithMessage("*'lime'*cam, gradcam*iba*");
    }

    [Fact]
    public void Register_AddsAMethodCreatedByNameWithTheCallersLayerAndOptions()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var registry = new SaliencyMethodRegistry();
        (string? Layer, SaliencyOptions? Options) received = default;
        registry.Register("My CAM", (m, layer, options) =>
        {
            received = (layer, options);
            return GradCam.Create(m, layer, options);
        });
        var settings = new SaliencyOptions { BatchSize = 3 };

        using var method = registry.Create("my-cam", model, "backbone", settings);

        method.Should().BeOfType<GradCam>();
        received.Layer.Should().Be("backbone");
        received.Options.Should().BeSameAs(settings);
        registry.Names.Should().EndWith("My CAM");
        new SaliencyMethodRegistry().Contains("mycam").Should().BeFalse("a new registry holds the built-ins only");
    }

    [Fact]
    public void Register_ATakenName_Throws_UnlessReplacing()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var registry = new SaliencyMethodRegistry();
        SaliencyMethod Factory(nn.Module<Tensor, Tensor> m, string? layer, SaliencyOptions? options) => ScoreCam.Create(m, layer, options);

        var act = () => registry.Register("Grad-CAM", Factory);

        act.Should().Throw<ArgumentException>().WithMessage("*'gradcam' is already registered*replace: true*");
        registry.Register("Grad-CAM", Factory, replace: true);
        using var replaced = registry.Create("gradcam", model);
        replaced.Should().BeOfType<ScoreCam>();
    }
}
