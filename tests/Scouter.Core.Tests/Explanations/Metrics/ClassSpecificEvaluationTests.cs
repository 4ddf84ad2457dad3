using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

/// <summary>The class-specific precision and pointing game of <see cref="ExplanationEvaluator"/>: every present class's map against that class's region.</summary>
public sealed class ClassSpecificEvaluationTests
{
    private static readonly EvaluationOptions Localisation = new()
    {
        Metrics = ExplanationMetrics.Precision | ExplanationMetrics.PointingGame | ExplanationMetrics.ClassPrecision | ExplanationMetrics.ClassPointingGame,
        PointingTolerance = 0,
    };

    private static Tensor Pixels(params (int Row, int Col)[] on)
    {
        var mask = zeros(3, 4, dtype: ScalarType.Bool);
        foreach (var (row, col) in on)
        {
            mask[row, col] = tensor(true);
        }

        return mask;
    }

    /// <summary>Pairs (image 0, class 0) → {(1, 1)}, (image 0, class 2) → {(2, 3)}, (image 1, class 1) → {(0, 0), (0, 1)}.</summary>
    private static ClassRegions ThreePairs() =>
        new(tensor(new long[] { 0, 0, 1 }), tensor(new long[] { 0, 2, 1 }), stack([Pixels((1, 1)), Pixels((2, 3)), Pixels((0, 0), (0, 1))]));

    /// <summary>A SCOUTER model on a 1×1 convolution, three classes: its maps keep the input's 3×4 size.</summary>
    private static ScouterModel TinyScouter(int seed, ScouterPolarity polarity = ScouterPolarity.Positive)
    {
        manual_seed(seed);
        var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 2, Polarity = polarity });
        var model = ScouterModel.Create(nn.Conv2d(3, 6, 1), head);
        model.eval();
        return model;
    }

    /// <summary>CAM on the linear FC model, the designed input twice with labels (0, 1), and <see cref="ThreePairs"/>.</summary>
    private sealed class CamCase : IDisposable
    {
        public ScouterModel Model { get; } = ToyModels.LinearFc(CamFamilyInputs.Weights);

        public ClassActivationMap Cam { get; }

        public Tensor Images { get; }

        public Tensor Labels { get; } = tensor(new long[] { 0, 1 });

        public ClassRegions Regions { get; } = ThreePairs();

        public CamCase()
        {
            Cam = ClassActivationMap.Create(Model);
            using var image = CamFamilyInputs.Image();
            Images = cat([image, image]);
        }

        public MethodMetrics Row(EvaluationOptions options, ClassRegions? regions = null) =>
            new ExplanationEvaluator(options).Evaluate([new EvaluationBatch(Images, Labels, ClassRegions: regions ?? Regions)], baselines: [Cam]).Rows.Single();

        public void Dispose()
        {
            Cam.Dispose();
            Model.Dispose();
            Images.Dispose();
            Labels.Dispose();
            Regions.Dispose();
        }
    }

    [Fact]
    public void Cam_ScoresEveryPresentClassesMapAgainstItsOwnRegion()
    {
        // The CAM input twice, labels (0, 1). Normalised CAMs (CamFamilyInputs): class 0 → 1 at (1, 1), ½ at (1, 2)
        // (sum 3/2); class 1 → ⅓ at (0, 0), 1 at (2, 3) (sum 4/3); class 2 = ½A₀ + ½A₁ → ⅓ at (0, 0), ⅔ at (1, 1),
        // ⅓ at (1, 2), 1 at (2, 3) (sum 7/3).
        // (0, class 0) vs {(1, 1)}: precision 1 / (3/2) = 2/3, maximum (1, 1) inside → hit.
        // (0, class 2) vs {(2, 3)}: precision 1 / (7/3) = 3/7, maximum (2, 3) inside → hit.
        // (1, class 1) vs {(0, 0), (0, 1)}: precision (1/3) / (4/3) = 1/4, maximum (2, 3) outside → miss.
        // Means over the three pairs: precision (2/3 + 3/7 + 1/4) / 3 = 113/252, pointing game 2/3.
        using var test = new CamCase();

        var row = test.Row(Localisation);

        row.ClassPrecision!.Value.Should().BeApproximately(113.0 / 252, 1e-6);
        row.ClassPointingGame.Should().BeApproximately(2.0 / 3, 1e-12);
        row.ClassPairs.Should().Be(3);
        row.Precision.Should().BeNull("the batch has no label region");
    }

    [Fact]
    public void Baselines_ExplainOnlyThePairsOfOtherClasses_InOneCall()
    {
        // Of the three pairs, two are of the explained class (the label): their maps are the explanation already made.
        // The third (image 0, class 2) costs one more Explain call, i.e. one more forward pass of the model.
        using var test = new CamCase();
        using var twoOthers = new ClassRegions(tensor(new long[] { 0, 1, 1 }), tensor(new long[] { 2, 0, 2 }), stack([Pixels((2, 3)), Pixels((1, 1)), Pixels((2, 3))]));
        var calls = 0;
        var hook = test.Model.register_forward_hook((_, _, output) =>
        {
            calls++;
            return output;
        });

        int Calls(ExplanationMetrics metrics, ClassRegions? pairs)
        {
            calls = 0;
            new ExplanationEvaluator(Localisation with { Metrics = metrics }).Evaluate([new EvaluationBatch(test.Images, test.Labels, ClassRegions: pairs)], baselines: [test.Cam]);
            return calls;
        }

        Calls(ExplanationMetrics.Precision, test.Regions); // the first call finds CAM's target layer with a forward pass of its own
        var without = Calls(ExplanationMetrics.Precision, test.Regions);
        Calls(Localisation.Metrics, test.Regions).Should().Be(without + 1);
        Calls(Localisation.Metrics, twoOthers).Should().Be(without + 1, "all pairs of other classes are explained in one call");
        Calls(Localisation.Metrics, null).Should().Be(without);
        hook.remove();
    }

    [Fact]
    public void EachMetric_CanBeLeftOut()
    {
        using var test = new CamCase();
        MethodMetrics Row(ExplanationMetrics metrics) => test.Row(Localisation with { Metrics = metrics });

        var precisionOnly = Row(ExplanationMetrics.ClassPrecision);
        precisionOnly.ClassPrecision!.Value.Should().BeApproximately(113.0 / 252, 1e-6);
        precisionOnly.ClassPointingGame.Should().BeNull();
        var pointingOnly = Row(ExplanationMetrics.ClassPointingGame);
        pointingOnly.ClassPrecision.Should().BeNull();
        pointingOnly.ClassPointingGame.Should().BeApproximately(2.0 / 3, 1e-12);
        var neither = Row(ExplanationMetrics.Precision);
        neither.ClassPrecision.Should().BeNull();
        neither.ClassPairs.Should().Be(0);
    }

    [Fact]
    public void AveragesOverPairs_NotImages()
    {
        // Batch 1: image 0 with its three pairs above (2/3, 3/7 and, for label 1's pair, 1/4). Batch 2: one image, one
        // pair (class 1 vs the whole image: precision 1). Mean over four pairs: (2/3 + 3/7 + 1/4 + 1) / 4 = 365/1008.
        using var test = new CamCase();
        using var image = CamFamilyInputs.Image();
        using var label1 = tensor(new long[] { 1 });
        using var whole = new ClassRegions(tensor(new long[] { 0 }), tensor(new long[] { 1 }), ones(1, 3, 4, dtype: ScalarType.Bool));

        var row = new ExplanationEvaluator(Localisation).Evaluate(
            [new EvaluationBatch(test.Images, test.Labels, ClassRegions: test.Regions), new EvaluationBatch(image, label1, ClassRegions: whole)], baselines: [test.Cam]).Rows.Single();

        row.ClassPairs.Should().Be(4);
        row.Images.Should().Be(3);
        row.ClassPrecision!.Value.Should().BeApproximately((113.0 / 84 + 1) / 4, 1e-6);
    }

    [Fact]
    public void Scouter_ScoresEachPairsOwnClassMap_NormalisedJointly()
    {
        using var model = TinyScouter(31);
        using var images = randn(2, 3, 3, 4);
        using var labels = tensor(new long[] { 0, 1 });
        using var regions = ThreePairs();

        var row = new ExplanationEvaluator(Localisation).Evaluate([new EvaluationBatch(images, labels, ClassRegions: regions)], scouter: model).Rows.Single();

        // The maps the official visualisation draws: image b's class maps normalised together, class c's upsampled.
        using var output = model.ForwardDetailed(images);
        using var joint = ExplanationMaps.NormalizeJointly(output.ClassMaps!);
        using var selected = stack([joint[0, 0], joint[0, 2], joint[1, 1]]).unsqueeze(1);
        using var maps = ExplanationMaps.Upsample(selected, 3, 4).squeeze(1);
        using var precision = LocalizationPrecision.Compute(maps, regions.Masks);
        using var hits = PointingGame.Hits(maps, regions.Masks, 0);
        row.ClassPrecision!.Value.Should().BeApproximately(precision.mean().item<float>(), 1e-6);
        row.ClassPointingGame!.Value.Should().BeApproximately(hits.to(ScalarType.Float64).mean().item<double>(), 1e-12);
        row.ClassPairs.Should().Be(3);
    }

    [Fact]
    public void WhyNotRows_HaveNoClassSpecificValues()
    {
        using var negative = TinyScouter(32, ScouterPolarity.Negative);
        using var fc = ToyModels.LinearFc(new float[,] { { 1, -1, 0 }, { 0, 1, 1 }, { 1, 0, 1 } });
        using var cam = ClassActivationMap.Create(fc);
        using var images = rand(2, 3, 3, 4);
        using var labels = tensor(new long[] { 0, 1 });
        using var regions = ThreePairs();

        var scouterRow = new ExplanationEvaluator(Localisation).Evaluate([new EvaluationBatch(images, labels, ClassRegions: regions)], scouter: negative).Rows.Single();
        var whyNotBaseline = new ExplanationEvaluator(Localisation with { NegativeBaselines = true }).Evaluate([new EvaluationBatch(images, labels, ClassRegions: regions)], baselines: [cam]).Rows.Single();

        scouterRow.Question.Should().Be("why not");
        scouterRow.ClassPrecision.Should().BeNull();
        scouterRow.ClassPointingGame.Should().BeNull();
        whyNotBaseline.ClassPrecision.Should().BeNull();
    }

    [Fact]
    public void Regions_ThatDoNotFitTheBatch_AreRejected()
    {
        using var test = new CamCase();

        using var thirdImage = new ClassRegions(tensor(new long[] { 2 }), tensor(new long[] { 0 }), zeros(1, 3, 4, dtype: ScalarType.Bool));
        var act = () => test.Row(Localisation, thirdImage);
        act.Should().Throw<ArgumentException>().WithMessage("*refers to image 2, but the batch has 2*");

        using var unknownClass = new ClassRegions(tensor(new long[] { 0 }), tensor(new long[] { 3 }), zeros(1, 3, 4, dtype: ScalarType.Bool));
        act = () => test.Row(Localisation, unknownClass);
        act.Should().Throw<ArgumentException>().WithMessage("*names class 3, but the model has 3 classes*");

        using var otherSize = new ClassRegions(tensor(new long[] { 0 }), tensor(new long[] { 0 }), zeros(1, 4, 3, dtype: ScalarType.Bool));
        act = () => test.Row(Localisation, otherSize);
        act.Should().Throw<ArgumentException>().WithMessage("*at the image size [2, 2, 3, 4]*[1, 4, 3] Bool*");
    }

    [Fact]
    public void Evaluate_WithClassRegions_LeaksNoTensors()
    {
        using var scouter = TinyScouter(33);
        using var fc = ToyModels.LinearFc(new float[,] { { 1, -1, 0 }, { 0, 1, 1 }, { 1, 0, 1 } });
        using var gradCam = GradCam.Create(fc);
        using var images = rand(2, 3, 3, 4);
        using var labels = tensor(new long[] { 0, 1 });
        using var regions = ThreePairs();
        var evaluator = new ExplanationEvaluator(Localisation);
        void Run() => evaluator.Evaluate([new EvaluationBatch(images, labels, ClassRegions: regions)], scouter: scouter, baselines: [gradCam]);
        Run();

        var before = LiveTensors.Count();
        Run();

        LiveTensors.Count().Should().Be(before);
    }
}
