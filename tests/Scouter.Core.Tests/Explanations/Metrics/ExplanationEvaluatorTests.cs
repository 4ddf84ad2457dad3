using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class ExplanationEvaluatorTests
{
    private static readonly EvaluationOptions Small = new() { InfidelitySamples = 3, SensitivitySamples = 2, PointingTolerance = 0, Seed = 5 };

    [Fact]
    public void Evaluate_Cam_GivesTheHandComputedLocalisationNumbers()
    {
        // CAM of class 0 on the designed input, normalised: 1 at (1, 1), 0.5 at (1, 2), 0 elsewhere (12 pixels).
        // Box x ∈ [1, 2], y ∈ [1, 2] covers pixel (1, 1) only: precision 1 / 1.5 = 2/3; the maximum is inside → pointing 1;
        // area = 1.5 / 12 = 0.125. Scores = W · mean(A) = (−1/12, 5/12, 7/24) → predicted class 1 ≠ label 0 → accuracy 0.
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var labels = tensor(new long[] { 0 });
        using var boxes = tensor(new float[] { 1, 1, 2, 2 }).view(1, 1, 4);

        var report = new ExplanationEvaluator(Small).Evaluate([new EvaluationBatch(image, labels, boxes)], baselines: [cam]);

        var row = report.Rows.Single();
        row.Method.Should().Be("CAM");
        row.Question.Should().Be("why");
        row.Images.Should().Be(1);
        row.Accuracy.Should().Be(0);
        row.AreaSize.Should().BeApproximately(0.125, 1e-6);
        row.Precision!.Value.Should().BeApproximately(2.0 / 3, 1e-6);
        row.PointingGame.Should().Be(1);
    }

    [Fact]
    public void Evaluate_Cam_ReportsTheMetricFunctionsOnTheSameMaps()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var labels = tensor(new long[] { 2 });
        var target = ExplanationTarget.Class(2);

        var report = new ExplanationEvaluator(Small).Evaluate([new EvaluationBatch(image, labels)], baselines: [cam]);

        using var maps = cam.Explain(image, target);
        using var insertion = InsertionDeletion.Insertion(model, image, maps, target);
        using var deletion = InsertionDeletion.Deletion(model, image, maps, target);
        using var infidelity = Infidelity.Compute(model, image, maps, target, samples: 3, seed: 5);
        using var sensitivity = MaxSensitivity.Compute(x => cam.Explain(x, target), image, maps, samples: 2, seed: 5);
        var row = report.Rows.Single();
        row.Precision.Should().BeNull("the batch has no ground truth");
        row.PointingGame.Should().BeNull();
        row.InsertionAuc.Should().BeApproximately(insertion.Auc.item<double>(), 1e-9);
        row.DeletionAuc.Should().BeApproximately(deletion.Auc.item<double>(), 1e-9);
        row.Infidelity.Should().BeApproximately(infidelity.item<double>(), 1e-9);
        row.MaxSensitivity.Should().BeApproximately(sensitivity.item<double>(), 1e-9);
    }

    [Fact]
    public void Evaluate_AveragesOverImagesOfAllBatches()
    {
        // Batch 1: label 0 (wrong, precision 2/3 as above); batch 2: two copies with label 1 (right; box covers the whole
        // image → precision 1). Means over three images: accuracy 2/3, precision (2/3 + 1 + 1) / 3 = 8/9.
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var pair = cat([image, image]);
        using var labels0 = tensor(new long[] { 0 });
        using var labels1 = tensor(new long[] { 1, 1 });
        using var box = tensor(new float[] { 1, 1, 2, 2 }).view(1, 1, 4);
        using var whole = tensor(new float[] { 0, 0, 4, 3, 0, 0, 4, 3 }).view(2, 1, 4);

        var report = new ExplanationEvaluator(Small).Evaluate([new EvaluationBatch(image, labels0, box), new EvaluationBatch(pair, labels1, whole)], baselines: [cam]);

        var row = report.Rows.Single();
        row.Images.Should().Be(3);
        row.Accuracy.Should().BeApproximately(2.0 / 3, 1e-12);
        row.Precision!.Value.Should().BeApproximately(8.0 / 9, 1e-6);
    }

    [Fact]
    public void Evaluate_NegativeScouter_ExplainsWhyNotTheLeastLikelyClass()
    {
        manual_seed(21);
        using var backbone = nn.Conv2d(3, 6, 1);
        using var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 1, Polarity = ScouterPolarity.Negative });
        using var model = ScouterModel.Create(backbone, head);
        using var images = randn(2, 3, 4, 6);
        using var labels = tensor(new long[] { 0, 1 });

        var report = new ExplanationEvaluator(Small).Evaluate([new EvaluationBatch(images, labels)], scouter: model);

        using var output = model.ForwardDetailed(images);
        using var notClasses = ClassSelection.LeastLikely(output.Scores).squeeze(1);
        using var area = AreaSize.Official(output.ClassMaps!, notClasses);
        using var joint = ExplanationMaps.NormalizeJointly(output.ClassMaps!);
        using var maps = ExplanationMaps.Upsample(ExplanationMaps.SelectClass(joint, notClasses).unsqueeze(1), 4, 6).squeeze(1);
        using var insertion = InsertionDeletion.Insertion(model, images, maps, ExplanationTarget.NotClass(notClasses));
        var row = report.Rows.Single();
        row.Method.Should().Be("SCOUTER−");
        row.Question.Should().Be("why not");
        row.AreaSize.Should().BeApproximately(area.mean().item<float>(), 1e-6);
        row.InsertionAuc.Should().BeApproximately(insertion.Auc.mean().item<double>(), 1e-9);
    }

    [Fact]
    public void Evaluate_UsesACustomClassChooser()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var labels = tensor(new long[] { 0 });
        using var box = tensor(new float[] { 0, 0, 1, 1 }).view(1, 1, 4);
        var options = Small with { ClassChooser = (scores, _) => tensor(new long[] { 1 }) };

        // CAM of class 1 = −A₀ + 2A₁ → ReLU → 2A₁ → normalised A₁/3: 1/3 at (0, 0), 1 at (2, 3); the box holds (0, 0): 0.25.
        var report = new ExplanationEvaluator(options).Evaluate([new EvaluationBatch(image, labels, box)], baselines: [cam]);

        report.Rows.Single().Precision!.Value.Should().BeApproximately(0.25, 1e-6);
        report.Settings["positiveClass"].Should().Be("custom");
    }

    [Fact]
    public void Evaluate_LeaksNoTensors()
    {
        manual_seed(22);
        using var backbone = nn.Conv2d(3, 6, 1);
        using var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 2 });
        using var scouter = ScouterModel.Create(backbone, head);
        using var fc = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var gradCam = GradCam.Create(fc);
        using var images = randn(2, 3, 3, 4);
        using var features = randn(2, 2, 3, 4);
        using var labels = tensor(new long[] { 0, 2 });
        using var boxes = tensor(new float[] { 0, 0, 2, 2, 1, 1, 4, 3 }).view(2, 1, 4);
        var evaluator = new ExplanationEvaluator(Small);
        evaluator.Evaluate([new EvaluationBatch(images, labels, boxes)], scouter: scouter);
        evaluator.Evaluate([new EvaluationBatch(features, labels, boxes)], baselines: [gradCam]);

        var before = LiveTensors.Count();
        evaluator.Evaluate([new EvaluationBatch(images, labels, boxes)], scouter: scouter);
        evaluator.Evaluate([new EvaluationBatch(features, labels, boxes)], baselines: [gradCam]);

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Evaluate_RejectsAnFcModelAsTheScouterModel()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var image = CamFamilyInputs.Image();
        using var labels = tensor(new long[] { 0 });
        var act = () => new ExplanationEvaluator().Evaluate([new EvaluationBatch(image, labels)], scouter: model);
        act.Should().Throw<ArgumentException>().WithMessage("*FcClassifierHead*xSlot head*");
    }

    [Fact]
    public void Evaluate_ComputesOnlyTheSelectedMetrics_WithoutTheirModelCalls()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var labels = tensor(new long[] { 0 });
        using var boxes = tensor(new float[] { 1, 1, 2, 2 }).view(1, 1, 4);
        var calls = 0;
        var hook = model.register_forward_hook((_, _, output) =>
        {
            calls++;
            return output;
        });

        MethodMetrics Run(ExplanationMetrics metrics, out int modelCalls)
        {
            calls = 0;
            var row = new ExplanationEvaluator(Small with { Metrics = metrics }).Evaluate([new EvaluationBatch(image, labels, boxes)], baselines: [cam]).Rows.Single();
            modelCalls = calls;
            return row;
        }

        var all = Run(ExplanationMetrics.All, out var allCalls);
        var localisation = Run(ExplanationMetrics.Precision | ExplanationMetrics.PointingGame, out var localisationCalls);
        var none = Run(ExplanationMetrics.None, out var noneCalls);
        var infidelityOnly = Run(ExplanationMetrics.Infidelity, out var infidelityCalls);
        hook.remove();

        localisation.Precision.Should().Be(all.Precision).And.BeApproximately(2.0 / 3, 1e-6);
        localisation.PointingGame.Should().Be(all.PointingGame);
        localisation.AreaSize.Should().Be(all.AreaSize);
        localisation.Accuracy.Should().Be(all.Accuracy);
        double.IsNaN(localisation.InsertionAuc).Should().BeTrue();
        double.IsNaN(localisation.DeletionAuc).Should().BeTrue();
        double.IsNaN(localisation.Infidelity).Should().BeTrue();
        double.IsNaN(localisation.MaxSensitivity).Should().BeTrue();
        none.Precision.Should().BeNull();
        none.PointingGame.Should().BeNull();
        infidelityOnly.Infidelity.Should().Be(all.Infidelity);
        double.IsNaN(infidelityOnly.InsertionAuc).Should().BeTrue();

        localisationCalls.Should().Be(noneCalls, "precision and the pointing game need no model call");
        infidelityCalls.Should().BeGreaterThan(noneCalls);
        allCalls.Should().BeGreaterThan(infidelityCalls);
    }

    [Fact]
    public void Evaluate_ReportsProgressAfterEachBatch()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var pair = cat([image, image]);
        using var label = tensor(new long[] { 0 });
        using var labels = tensor(new long[] { 1, 1 });
        var reports = new List<EvaluationProgress>();

        new ExplanationEvaluator(Small with { Metrics = ExplanationMetrics.None })
            .Evaluate([new EvaluationBatch(image, label), new EvaluationBatch(pair, labels), new EvaluationBatch(image, label)], baselines: [cam], progress: new SynchronousProgress<EvaluationProgress>(reports.Add));

        reports.Should().Equal(new EvaluationProgress(1, 1), new EvaluationProgress(2, 3), new EvaluationProgress(3, 4));
    }

    [Fact]
    public void Evaluate_Cancelled_StopsBeforeTheNextBatch_WithoutLeaking()
    {
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = GradCam.Create(model);
        using var image = CamFamilyInputs.Image();
        using var label = tensor(new long[] { 0 });
        var evaluator = new ExplanationEvaluator(Small);
        evaluator.Evaluate([new EvaluationBatch(image, label)], baselines: [cam]);
        var before = LiveTensors.Count();
        var read = 0;
        IEnumerable<EvaluationBatch> Batches()
        {
            for (var i = 0; i < 3; i++)
            {
                read++;
                yield return new EvaluationBatch(image, label);
            }
        }

        using var cancellation = new CancellationTokenSource();
        var act = () => evaluator.Evaluate(Batches(), baselines: [cam], progress: new SynchronousProgress<EvaluationProgress>(_ => cancellation.Cancel()), cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        read.Should().Be(2, "the second batch is read, then the cancellation is seen before it is evaluated");
        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Evaluate_CancelledWithinABatch_StopsBetweenMetrics()
    {
        // Insertion, deletion, infidelity and max-sensitivity each call the model; a cancellation during the first of
        // them is seen before the next one starts, so the model is called far fewer times than in a full batch.
        using var model = ToyModels.LinearFc(CamFamilyInputs.Weights);
        using var cam = ClassActivationMap.Create(model);
        using var image = CamFamilyInputs.Image();
        using var label = tensor(new long[] { 0 });
        using var cancellation = new CancellationTokenSource();
        var calls = 0;
        var cancelAt = int.MaxValue;
        var hook = model.register_forward_hook((_, _, output) =>
        {
            if (++calls == cancelAt)
            {
                cancellation.Cancel();
            }

            return output;
        });
        var evaluator = new ExplanationEvaluator(Small);
        evaluator.Evaluate([new EvaluationBatch(image, label)], baselines: [cam]);
        var full = calls;
        calls = 0;
        cancelAt = 2; // the first call scores the batch, the second belongs to the insertion game

        var act = () => evaluator.Evaluate([new EvaluationBatch(image, label)], baselines: [cam], cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        hook.remove();
        calls.Should().BeGreaterThan(1).And.BeLessThan(full, "of {0} model calls in a full batch, those after the insertion game are skipped", full);
    }

    [Fact]
    public void Options_RejectUnnamedMetricFlags()
    {
        var act = () => new ExplanationEvaluator(new EvaluationOptions { Metrics = (ExplanationMetrics)256 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Metrics*");
    }
}
