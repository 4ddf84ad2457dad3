using Scouter.Core.Backbones;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

/// <summary>
/// An explanation call (eval forward of backbone and xSlot head, then the official 8-bit maps at image size) frees
/// every native <see cref="Scalar"/> it creates. Left to the finalizer, they fragmented glibc's heap and resident
/// memory rose by 27–85% over 600 calls (docs/performance.md, "Memory soaks").
/// </summary>
public sealed class ExplanationCallScalarsTests
{
    [Fact]
    public void Listener_CountsAScalarLeftToTheFinalizer()
    {
        using var listener = FinalizedScalars.Start();

        LeakScalars(3);

        listener.CountAfterCollection().Should().Be(3, "the check must see what it is meant to catch");
    }

    [Theory]
    [InlineData("resnet18", 1, 32)] // TorchVision BasicBlocks, MNIST stem
    [InlineData("resnet50", 3, 32)] // TorchVision Bottlenecks
    [InlineData("resnest26d", 3, 32)] // our ResNeSt blocks
    public void ExplanationCalls_LeaveNoScalarToTheFinalizer(string backboneName, int channels, int size)
    {
        using var backbone = BackboneRegistry.Default.Create(backboneName, channels);
        using var model = ScouterModel.Create(backbone.Features, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = backbone.Channels, NumClasses = 10 }));
        model.eval();
        using var images = randn(2, channels, size, size);
        Explain(model, images, size); // first call outside the count: one-time initialisation is not per call

        using var listener = FinalizedScalars.Start();
        for (var call = 0; call < 3; call++)
        {
            Explain(model, images, size);
        }

        listener.CountAfterCollection().Should().Be(0);
    }

    [Fact]
    public void GradCamCalls_LeaveNoScalarToTheFinalizer()
    {
        // The baseline the benchmarks time against SCOUTER's maps; an arange row index built with implicit scalars leaves three per call.
        using var backbone = BackboneRegistry.Default.Create("resnet18", 3);
        using var model = ScouterModel.Create(backbone.Features, FcClassifierHead.Create(backbone.Channels, 10));
        model.eval();
        using var gradCam = GradCam.Create(model);
        using var images = randn(2, 3, 96, 96);
        var target = ExplanationTarget.Class([1, 2]);
        GradCamCall(gradCam, images, target);

        using var listener = FinalizedScalars.Start();
        for (var call = 0; call < 3; call++)
        {
            GradCamCall(gradCam, images, target);
        }

        listener.CountAfterCollection().Should().Be(0);
    }

    public static TheoryData<string> Baselines() => [.. SaliencyMethodRegistry.Default.Names];

    [Theory]
    [MemberData(nameof(Baselines))]
    public void EveryBaselineCall_LeavesNoScalarToTheFinalizer(string name)
    {
        // Before their arithmetic took owned scalars, one call on two images left 6 (Grad-CAM++) to 3592 (I-GOS).
        manual_seed(3);
        using var model = ToyClassifier();
        model.eval();
        using var method = SaliencyMethodRegistry.Default.Create(name, model, options: new SaliencyOptions { Samples = 3 });
        using var images = randn(2, 3, 16, 16);
        var target = ExplanationTarget.Class([1, 2]);
        BaselineCall(method, images, target);

        using var listener = FinalizedScalars.Start();
        BaselineCall(method, images, target);

        listener.CountAfterCollection().Should().Be(0);
    }

    [Fact]
    public void EvaluationWithEveryMetric_LeavesNoScalarToTheFinalizer()
    {
        // SCOUTER's own maps and Grad-CAM, all nine metrics; before, 4 (precision) to 24 (pointing game) per batch.
        manual_seed(4);
        using var fc = ToyClassifier();
        using var features = nn.Sequential(("conv1", nn.Conv2d(3, 8, 3, stride: 4, padding: 1)), ("relu1", nn.ReLU()));
        using var backbone = Backbone.FromModule("toy", features, channels: 8);
        using var scouter = ScouterModel.Create(backbone.Features, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, NumClasses = 4 }));
        scouter.eval();
        using var gradCam = GradCam.Create(fc);
        using var images = randn(2, 3, 16, 16);
        using var labels = tensor(new long[] { 1, 2 });
        using var masks = rand(2, 16, 16).gt(0.5);
        using var objectMasks = rand(2, 2, 16, 16).gt(0.5);
        using var objectClasses = tensor(new long[] { 1, 3, 2, 0 }).view(2, 2);
        using var regions = ClassRegions.FromObjects(objectMasks, objectClasses);
        var evaluator = new ExplanationEvaluator(new EvaluationOptions { InfidelitySamples = 2, SensitivitySamples = 2 });
        Evaluation(evaluator, new EvaluationBatch(images, labels, null, masks, regions), scouter, gradCam);

        using var listener = FinalizedScalars.Start();
        Evaluation(evaluator, new EvaluationBatch(images, labels, null, masks, regions), scouter, gradCam);

        listener.CountAfterCollection().Should().Be(0);
    }

    [Fact]
    public void Rendering_LeavesNoScalarToTheFinalizer()
    {
        // The official overlays (PIL-exact resize and alpha compositing), grid and PNG bytes of every class.
        using var images = randint(0, 256, [2, 3, 20, 24], dtype: ScalarType.Byte);
        using var maps = rand(2, 4, 3, 3);
        Render(images, maps);

        using var listener = FinalizedScalars.Start();
        Render(images, maps);

        listener.CountAfterCollection().Should().Be(0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Render(Tensor images, Tensor maps)
    {
        using var scope = NewDisposeScope();
        using var rendered = new ExplanationRenderer().Render(images, maps);
        rendered.Grid();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Evaluation(ExplanationEvaluator evaluator, EvaluationBatch batch, ScouterModel scouter, SaliencyMethod baseline)
    {
        using var scope = NewDisposeScope();
        evaluator.Evaluate([batch], scouter, [baseline]);
    }

    private static nn.Module<Tensor, Tensor> ToyClassifier() => nn.Sequential(
        ("conv1", nn.Conv2d(3, 8, 3, padding: 1)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(8, 8, 3, padding: 1)), ("relu2", nn.ReLU()),
        ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(8, 4)));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void BaselineCall(SaliencyMethod method, Tensor images, ExplanationTarget target)
    {
        using var scope = NewDisposeScope();
        method.Explain(images, target);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void GradCamCall(GradCam gradCam, Tensor images, ExplanationTarget target)
    {
        using var scope = NewDisposeScope();
        gradCam.Explain(images, target);
    }

    private static void Explain(ScouterModel model, Tensor images, int size)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = model.ForwardDetailed(images);
        using var maps = ExplanationMaps.Upsample(output.ClassMaps!, size, size);
        using var bytes = ExplanationMaps.ToOfficialUInt8(maps);
        using var area = ExplanationMaps.AreaSize(bytes);
        using var floored = ExplanationMaps.NormalizeWithFloor(maps, 0.2);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakScalars(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = 1.5f.ToScalar();
        }
    }
}
