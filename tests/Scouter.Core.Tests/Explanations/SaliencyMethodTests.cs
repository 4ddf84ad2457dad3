using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

/// <summary>What the shared base does for every method: post-processing, batching, modes, hooks, leaks.</summary>
public sealed class SaliencyMethodTests
{
    [Fact]
    public void Explain_AppliesTheGradMinLevelFloorAfterNormalising()
    {
        // CAM of class 0, ReLU'd and normalised: A₀/2 has values {0, 0.5, 1}. Floor 0.6 → {0.6, 0.6, 1} → renormalised {0, 0, 1}.
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model, options: new SaliencyOptions { GradMinLevel = 0.6 });
        using var image = CamFamilyInputs.Image();

        using var map = cam.Explain(image, ExplanationTarget.Class(0));

        using var expected = tensor(new float[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }).view(1, 3, 4);
        TensorAssert.Close(map, expected, rtol: 0, atol: 1e-6);
    }

    [Fact]
    public void Explain_UpsamplesToTheInputSize_KeepingHeightAndWidthApart()
    {
        // A 2×2-strided convolution halves a 6×8 image to 3×4; the map comes back at 6×8.
        manual_seed(3);
        using var backbone = nn.Conv2d(2, 3, 2, stride: 2);
        using var head = Scouter.Core.Modules.FcClassifierHead.Create(3, 2);
        using var model = Scouter.Core.Modules.ScouterModel.Create(backbone, head);
        using var gradCam = GradCam.Create(model);
        using var image = randn(2, 2, 6, 8);

        using var raw = gradCam.Attribute(image, ExplanationTarget.Class(0, 1));
        using var map = gradCam.Explain(image, ExplanationTarget.Class(0, 1));

        raw.shape.Should().Equal(2, 3, 4);
        map.shape.Should().Equal(2, 6, 8);
    }

    [Fact]
    public void Attribute_GivesTheSameMapsInChunksAsInOneBatch()
    {
        manual_seed(4);
        using var backbone = nn.Sequential(nn.Conv2d(2, 3, 1), nn.ReLU());
        using var head = Scouter.Core.Modules.FcClassifierHead.Create(3, 4);
        using var model = Scouter.Core.Modules.ScouterModel.Create(backbone, head);
        using var images = randn(5, 2, 3, 4);
        var target = ExplanationTarget.Class(0, 1, 2, 3, 0);

        using var whole = GradCamPlusPlus.Create(model, options: new SaliencyOptions { BatchSize = 8 });
        using var chunked = GradCamPlusPlus.Create(model, options: new SaliencyOptions { BatchSize = 2 });
        using var a = whole.Attribute(images, target);
        using var b = chunked.Attribute(images, target);

        TensorAssert.Close(a, b, rtol: 1e-5, atol: 1e-7);
    }

    [Fact]
    public void ExplainClasses_ExplainsEachRequestedClassOfEachImage()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var classes = tensor(new long[] { 0, 1 }).view(1, 2);

        using var maps = cam.ExplainClasses(image, classes);
        using var first = cam.Explain(image, ExplanationTarget.Class(0));
        using var second = cam.Explain(image, ExplanationTarget.Class(1));

        maps.shape.Should().Equal(1, 2, 3, 4);
        TensorAssert.Close(maps[.., 0], first, rtol: 0, atol: 1e-7);
        TensorAssert.Close(maps[.., 1], second, rtol: 0, atol: 1e-7);
    }

    [Fact]
    public void Attribute_RestoresTheModelsTrainingMode()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        model.train();
        using var gradCam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();

        using var map = gradCam.Attribute(image, ExplanationTarget.Class(0));

        model.training.Should().BeTrue();
    }

    [Fact]
    public void Dispose_RemovesTheHook_SoTheLayerNoLongerFeedsTheMethod()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        var gradCam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();
        using (gradCam.Attribute(image, ExplanationTarget.Class(0)))
        {
        }

        HookCount(model, "backbone").Should().Be(1, "the method hooks its target layer");
        gradCam.Dispose();

        HookCount(model, "backbone").Should().Be(0);
        var act = () => gradCam.Attribute(image, ExplanationTarget.Class(0));
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Explain_LeaksNoTensors()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var image = CamFamilyInputs.Image();
        using var region = new RegionCase();
        using var regionImage = region.IndicatorImage();
        SaliencyMethod[] methods =
        [
            ClassActivationMap.Create(model), GradCam.Create(model), GradCamPlusPlus.Create(model), SmoothGradCamPlusPlus.Create(model, samples: 2),
            ScoreCam.Create(region.Model), SsCam.Create(region.Model, samples: 2), IsCam.Create(region.Model, steps: 2), Rise.Create(region.Model, masks: 10),
            ExtremalPerturbation.Create(region.Model, iterations: 2), IGos.Create(region.Model, iterations: 2, integrationSteps: 2),
            InformationBottleneck.Create(region.Model, iterations: 2, samples: 2),
        ];

        foreach (var method in methods)
        {
            var input = method.Model == model ? image : regionImage;
            using (method.Explain(input, ExplanationTarget.Class(0)))
            {
            }

            var before = LiveTensors.Count();
            using (method.Explain(input, ExplanationTarget.Class(0)))
            {
            }

            LiveTensors.Count().Should().Be(before, $"{method.Name} must not leak tensors");
            method.Dispose();
        }
    }

    [Fact]
    public void Explain_RejectsATargetForAnotherBatchSize()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();

        var act = () => cam.Explain(image, ExplanationTarget.Class(0, 1));

        act.Should().Throw<ArgumentException>().WithMessage("*2 images*1 were given*");
    }

    private static int HookCount(nn.Module model, string layer)
    {
        var module = model.named_modules().Single(m => m.name == layer).module;
        var fields = module.GetType().BaseType!.BaseType!.GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        return fields.Where(f => f.Name.Contains("hook", StringComparison.OrdinalIgnoreCase))
            .Select(f => f.GetValue(module))
            .OfType<System.Collections.ICollection>()
            .Sum(c => c.Count);
    }
}
