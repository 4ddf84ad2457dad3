// The explanation metrics of the SCOUTER paper (§4.2, Table 3) for a model's own SCOUTER maps and for baseline
// methods on an FC model, over batches of images with labels and, optionally, ground-truth boxes or masks.
using Scouter.Core.Compat;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Inference;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Computes the metric table — area size, precision, pointing game, IAUC, DAUC, infidelity, max-sensitivity, the
/// class-specific precision and pointing game, and the model's accuracy — for a SCOUTER model's own explanations and
/// for baseline saliency methods, in one pass over the batches (a streaming loader is read once).
/// </summary>
/// <remarks>
/// <para>SCOUTER maps are the explained class's map of <see cref="HeadOutput.ClassMaps"/>, normalised jointly over
/// classes as the official visualisation does and upsampled bilinearly to the image; area size is the official
/// 8-bit <c>cal_area_size</c>. SCOUTER− is scored on a "not" class (the least likely one by default) with the target
/// "why not": its probability is <c>1 − p_c</c>.</para>
/// <para>Baseline maps are <see cref="SaliencyMethod.Explain"/>'s output; area size is their mean value.</para>
/// <para>The class-specific metrics score the map of every class present in an image (<see cref="EvaluationBatch.ClassRegions"/>)
/// against that class's region: for SCOUTER the class's own map of the same forward pass, normalised jointly; for a
/// baseline its map of that class, explained in one batched call for all pairs whose class is not the explained one.
/// They answer "where is the evidence for class c", so "why not" rows (SCOUTER−, <see cref="EvaluationOptions.NegativeBaselines"/>)
/// leave them null.</para>
/// </remarks>
public sealed class ExplanationEvaluator
{
    /// <summary>Creates an evaluator.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public ExplanationEvaluator(EvaluationOptions? options = null)
    {
        Options = (options ?? new EvaluationOptions()).Validated();
    }

    /// <summary>The settings.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Evaluates the SCOUTER model's explanations and the baselines over the batches.</summary>
    /// <param name="batches">The data, read once.</param>
    /// <param name="scouter">A model with an xSlot head whose class maps are evaluated; null to evaluate baselines only.</param>
    /// <param name="baselines">Saliency methods, each on its own model (typically an FC model); null or empty for none.</param>
    /// <param name="scouterName">Row name of the SCOUTER model; null for <c>SCOUTER+</c> or <c>SCOUTER−</c>.</param>
    /// <param name="progress">Reported after each batch; optional.</param>
    /// <param name="cancellationToken">Checked before each batch, method and metric; stops with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The metric table.</returns>
    public EvaluationReport Evaluate(IEnumerable<EvaluationBatch> batches, ScouterModel? scouter = null, IReadOnlyList<SaliencyMethod>? baselines = null, string? scouterName = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        baselines ??= [];
        if (scouter is null && baselines.Count == 0)
        {
            throw new ArgumentException("Nothing to evaluate: give a SCOUTER model, baseline methods, or both.", nameof(baselines));
        }

        XSlotClassifier? head = null;
        if (scouter is not null)
        {
            head = scouter.Head as XSlotClassifier
                ?? throw new ArgumentException($"The SCOUTER model's head is a {scouter.Head.GetType().Name}; its own explanations need an xSlot head. Evaluate an FC model through baseline methods.", nameof(scouter));
        }

        var polarity = head?.Polarity ?? ScouterPolarity.Positive;
        var rows = new List<(string Name, string Question, MetricSums Sums)>();
        if (scouter is not null)
        {
            rows.Add((scouterName ?? (polarity == ScouterPolarity.Negative ? "SCOUTER−" : "SCOUTER+"), Question(polarity == ScouterPolarity.Negative), new MetricSums()));
        }

        rows.AddRange(baselines.Select(b => (b.Name, Question(Options.NegativeBaselines), new MetricSums())));

        var done = 0;
        long images = 0;
        FoldedBatchNorms? folding = null;
        try
        {
            foreach (var batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckBatch(batch);
                using var scope = NewDisposeScope();
                var regions = Regions(batch);
                var row = 0;
                if (scouter is not null)
                {
                    folding ??= FoldBatchNorms(scouter, baselines, batch.Images);
                    EvaluateScouter(scouter, polarity, batch, regions, rows[row++].Sums, cancellationToken);
                }

                foreach (var method in baselines)
                {
                    EvaluateBaseline(method, batch, regions, rows[row++].Sums, cancellationToken);
                }

                images += batch.Images.shape[0];
                progress?.Report(new EvaluationProgress(++done, images));
            }
        }
        finally
        {
            folding?.Dispose();
        }

        return new EvaluationReport(rows.Select(r => r.Sums.Row(r.Name, r.Question)).ToList(), Options.Describe());
    }

    // The SCOUTER model's batch norms folded for the evaluation, unless folding is off or a baseline shares its backbone.
    private FoldedBatchNorms FoldBatchNorms(ScouterModel scouter, IReadOnlyList<SaliencyMethod> baselines, Tensor images)
    {
        if (!Options.FoldBatchNorm || baselines.Any(b => b.Model.modules().Any(m => ReferenceEquals(m, scouter.Backbone))))
        {
            return FoldedBatchNorms.Empty;
        }

        using var mode = new EvalModeScope(scouter);
        return BatchNormFolding.Fold(scouter.Backbone, images);
    }

    private static string Question(bool negative) => negative ? "why not" : "why";

    private void EvaluateScouter(ScouterModel model, ScouterPolarity polarity, EvaluationBatch batch, Tensor? regions, MetricSums sums, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        using var mode = new EvalModeScope(model);
        var images = batch.Images;
        Tensor scores, classMaps;
        using (no_grad())
        {
            var output = model.ForwardDetailed(images);
            scores = output.Scores;
            classMaps = output.ClassMaps!;
        }

        var negative = polarity == ScouterPolarity.Negative;
        var classes = ChooseClasses(scores, batch.Labels, negative);
        var target = ExplanationTarget.For(polarity, classes);
        var joint = ExplanationMaps.NormalizeJointly(classMaps);

        Tensor Explain(Tensor x)
        {
            using var s = NewDisposeScope();
            using var g = no_grad();
            var maps = model.ForwardDetailed(x).ClassMaps!;
            var selected = ExplanationMaps.SelectClass(ExplanationMaps.NormalizeJointly(maps), classes).unsqueeze(1);
            return ExplanationMaps.Upsample(selected, x.shape[2], x.shape[3]).squeeze(1).MoveToOuterDisposeScope();
        }

        var explained = ExplanationMaps.SelectClass(joint, classes).unsqueeze(1);
        var maps = ExplanationMaps.Upsample(explained, images.shape[2], images.shape[3]).squeeze(1);
        sums.Add(Accuracy(scores, batch.Labels), AreaSize.Official(classMaps, classes));
        Measure(model, images, maps, target, regions, Explain, sums, cancellationToken);
        if (!negative && ClassPairs(batch, scores) is { } pairs)
        {
            // Row b·n + c of the flattened maps is class c of image b.
            using var scalars = new ScalarScope();
            var rows = pairs.ImageIndices.mul(scalars.Of(classMaps.shape[1])).Plus(pairs.Classes).to(joint.device);
            var pairMaps = ExplanationMaps.Upsample(joint.flatten(0, 1).index_select(0, rows).unsqueeze(1), images.shape[2], images.shape[3]).squeeze(1);
            MeasureClasses(pairMaps, pairs, sums);
        }
    }

    private void EvaluateBaseline(SaliencyMethod method, EvaluationBatch batch, Tensor? regions, MetricSums sums, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        var model = method.Model;
        var images = batch.Images;
        Tensor scores;
        using (new EvalModeScope(model))
        using (no_grad())
        {
            scores = model.call(images);
        }

        var classes = ChooseClasses(scores, batch.Labels, negative: false);
        ExplanationTarget target = Options.NegativeBaselines ? ExplanationTarget.NotClass(classes) : ExplanationTarget.Class(classes);
        var maps = method.Explain(images, target);
        sums.Add(Accuracy(scores, batch.Labels), AreaSize.Mean(maps));
        Measure(model, images, maps, target, regions, x => method.Explain(x, target), sums, cancellationToken);
        if (!Options.NegativeBaselines && ClassPairs(batch, scores) is { } pairs)
        {
            MeasureClasses(BaselinePairMaps(method, images, classes, maps, pairs), pairs, sums);
        }
    }

    /// <summary>
    /// The baseline's map of every pair's class: pairs of the explained class reuse its maps, the others are explained
    /// together in one call.
    /// </summary>
    private static Tensor BaselinePairMaps(SaliencyMethod method, Tensor images, Tensor classes, Tensor maps, ClassRegions pairs)
    {
        using var scope = NewDisposeScope();
        var pairImages = pairs.ImageIndices.to(maps.device);
        var pairClasses = pairs.Classes.to(maps.device);
        var pairMaps = maps.index_select(0, pairImages);
        var others = pairClasses.ne(classes.to(maps.device).index_select(0, pairImages)).nonzero().flatten();
        if (others.shape[0] > 0)
        {
            var extra = method.Explain(images.index_select(0, pairImages.index_select(0, others).to(images.device)), ExplanationTarget.Class(pairClasses.index_select(0, others)));
            pairMaps = pairMaps.index_copy(0, others, extra.to(pairMaps.dtype));
        }

        return pairMaps.MoveToOuterDisposeScope();
    }

    private void MeasureClasses(Tensor pairMaps, ClassRegions pairs, MetricSums sums)
    {
        using var scope = NewDisposeScope();
        var regions = pairs.Masks.to(pairMaps.device);
        var precision = Options.Metrics.HasFlag(ExplanationMetrics.ClassPrecision) ? LocalizationPrecision.Compute(pairMaps, regions) : null;
        var hits = Options.Metrics.HasFlag(ExplanationMetrics.ClassPointingGame) ? PointingGame.Hits(pairMaps, regions, Options.PointingTolerance).to(ScalarType.Float64) : null;
        sums.AddClasses(pairs.Count, precision, hits);
    }

    /// <summary>The batch's per-class regions when a class-specific metric is asked for and there are pairs; checked against the model's classes.</summary>
    private ClassRegions? ClassPairs(EvaluationBatch batch, Tensor scores)
    {
        if ((Options.Metrics & (ExplanationMetrics.ClassPrecision | ExplanationMetrics.ClassPointingGame)) == 0 || batch.ClassRegions is not { Count: > 0 } pairs)
        {
            return null;
        }

        var largest = pairs.Classes.max().item<long>();
        if (largest >= scores.shape[1])
        {
            throw new ArgumentException($"{nameof(EvaluationBatch.ClassRegions)} names class {largest}, but the model has {scores.shape[1]} classes.", nameof(batch));
        }

        return pairs;
    }

    private void Measure(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target, Tensor? regions, Func<Tensor, Tensor> explain, MetricSums sums, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();

        // Each metric of a batch can take many forward passes: a cancellation is seen between them.
        bool Has(ExplanationMetrics metric)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Options.Metrics.HasFlag(metric);
        }

        var precision = regions is not null && Has(ExplanationMetrics.Precision) ? LocalizationPrecision.Compute(maps, regions) : null;
        var hits = regions is not null && Has(ExplanationMetrics.PointingGame) ? PointingGame.Hits(maps, regions, Options.PointingTolerance).to(ScalarType.Float64) : null;
        using var insertion = Has(ExplanationMetrics.Insertion)
            ? InsertionDeletion.Insertion(model, images, maps, target, stepPixels: Options.InsertionStepPixels, forwardBatchSize: Options.ForwardBatchSize) : null;
        using var deletion = Has(ExplanationMetrics.Deletion)
            ? InsertionDeletion.Deletion(model, images, maps, target, stepPixels: Options.InsertionStepPixels, forwardBatchSize: Options.ForwardBatchSize) : null;
        var infidelity = Has(ExplanationMetrics.Infidelity)
            ? Infidelity.Compute(model, images, maps, target, Options.InfidelitySamples, Options.InfidelityNoiseStd, Options.InfidelityOptimalScaling, Options.Seed, Options.ForwardBatchSize)
            : null;
        var sensitivity = Has(ExplanationMetrics.MaxSensitivity) ? MaxSensitivity.Compute(explain, images, maps, Options.SensitivitySamples, Options.SensitivityRadius, Options.Seed) : null;
        sums.Add(precision, hits, insertion?.Auc, deletion?.Auc, infidelity, sensitivity);
    }

    private Tensor ChooseClasses(Tensor scores, Tensor labels, bool negative)
    {
        if (Options.ClassChooser is { } choose)
        {
            var chosen = choose(scores, labels);
            TensorChecks.Rank(chosen, 1, nameof(EvaluationOptions.ClassChooser), $"one class per image [B = {scores.shape[0]}]", nameof(EvaluationOptions.ClassChooser));
            return chosen.to(ScalarType.Int64);
        }

        return (negative ? Options.NegativeClass : Options.PositiveClass) switch
        {
            ExplainedClass.Label => labels.to(ScalarType.Int64),
            ExplainedClass.Predicted => ClassSelection.MostLikely(scores).squeeze(1),
            _ => ClassSelection.LeastLikely(scores).squeeze(1),
        };
    }

    private static Tensor Accuracy(Tensor scores, Tensor labels) =>
        scores.argmax(1).eq(labels.to(ScalarType.Int64).to(scores.device)).to(ScalarType.Float64);

    private static Tensor? Regions(EvaluationBatch batch)
    {
        long h = batch.Images.shape[2], w = batch.Images.shape[3];
        if (batch.Masks is { } masks)
        {
            if (!masks.shape.SequenceEqual(new[] { batch.Images.shape[0], h, w }))
            {
                throw new ArgumentException($"Ground-truth masks must be [B, H, W] like the images {TensorChecks.Describe(batch.Images)}; got {TensorChecks.Describe(masks)}.", nameof(batch));
            }

            return masks.dtype == ScalarType.Bool ? masks.alias() : masks.ne(0);
        }

        return batch.Boxes is { } boxes ? RegionMasks.FromBoxes(boxes, h, w) : null;
    }

    private static void CheckBatch(EvaluationBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TensorChecks.Rank(batch.Images, 4, nameof(ExplanationEvaluator), "images [B, C, H, W]", nameof(batch));
        TensorChecks.Rank(batch.Labels, 1, nameof(ExplanationEvaluator), $"labels [B = {batch.Images.shape[0]}]", nameof(batch));
        if (batch.Labels.shape[0] != batch.Images.shape[0])
        {
            throw new ArgumentException($"{nameof(ExplanationEvaluator)} expects one label per image ({batch.Images.shape[0]}); got {TensorChecks.Describe(batch.Labels)}.", nameof(batch));
        }

        if (batch.Boxes is { } boxes && boxes.shape[0] != batch.Images.shape[0])
        {
            throw new ArgumentException($"{nameof(ExplanationEvaluator)} expects boxes [B = {batch.Images.shape[0]}, K, 4]; got {TensorChecks.Describe(boxes)}.", nameof(batch));
        }

        if (batch.ClassRegions is { Count: > 0 } pairs)
        {
            using var scope = NewDisposeScope();
            if (pairs.Masks.shape[1] != batch.Images.shape[2] || pairs.Masks.shape[2] != batch.Images.shape[3])
            {
                throw new ArgumentException($"{nameof(EvaluationBatch.ClassRegions)} masks must be [P, H, W] at the image size {TensorChecks.Describe(batch.Images)}; got {TensorChecks.Describe(pairs.Masks)}.", nameof(batch));
            }

            var last = pairs.ImageIndices.max().item<long>();
            if (last >= batch.Images.shape[0])
            {
                throw new ArgumentException($"{nameof(EvaluationBatch.ClassRegions)} refers to image {last}, but the batch has {batch.Images.shape[0]}.", nameof(batch));
            }
        }
    }

    /// <summary>Running sums and counts of each metric over images (over pairs for the class-specific ones), NaN values left out.</summary>
    private sealed class MetricSums
    {
        private const int ClassColumn = 8;
        private readonly double[] sums = new double[10];
        private readonly long[] counts = new long[10];
        private int images;
        private long pairs;

        public void Add(Tensor accuracy, Tensor area)
        {
            images += (int)accuracy.shape[0];
            Accumulate(0, accuracy);
            Accumulate(1, area);
        }

        public void Add(params Tensor?[] metrics)
        {
            // Metric i of the table is column i + 2, after accuracy and area size.
            for (var i = 0; i < metrics.Length; i++)
            {
                if (metrics[i] is { } values)
                {
                    Accumulate(i + 2, values);
                }
            }
        }

        public void AddClasses(long count, Tensor? precision, Tensor? hits)
        {
            pairs += count;
            if (precision is not null)
            {
                Accumulate(ClassColumn, precision);
            }

            if (hits is not null)
            {
                Accumulate(ClassColumn + 1, hits);
            }
        }

        public MethodMetrics Row(string name, string question) => new(name, question, images, Mean(0) ?? double.NaN, Mean(1) ?? double.NaN, Mean(2), Mean(3),
            Mean(4) ?? double.NaN, Mean(5) ?? double.NaN, Mean(6) ?? double.NaN, Mean(7) ?? double.NaN, Mean(ClassColumn), Mean(ClassColumn + 1), pairs);

        private double? Mean(int i) => counts[i] == 0 ? null : sums[i] / counts[i];

        private void Accumulate(int i, Tensor values)
        {
            using var cpu = values.detach().to(ScalarType.Float64).cpu();
            foreach (var v in cpu.data<double>().ToArray().Where(v => !double.IsNaN(v)))
            {
                sums[i] += v;
                counts[i]++;
            }
        }
    }
}
