using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Modules;
using Spectre.Console;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter evaluate</c>: the paper's explanation metrics (area, precision, pointing game, IAUC, DAUC, infidelity,
/// max-sensitivity) and the class-specific precision and pointing game for the SCOUTER model's own explanations and
/// for baselines on the FC model, on validation images with ground-truth boxes (CUB-200, ImageNet with its LOC csv)
/// or masks (Synthetic, SyntheticScenes).
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        var methods = BaselineNames(args.Text("baselines"));
        var metrics = MetricSelection(args.Text("metrics"));
        var tolerance = PointingTolerance(args.Number("pointing_tolerance"));
        var scouterPath = args.Text("checkpoint") ?? CheckpointRun.DefaultPath(args, useSlot: true);
        var batchSize = args.Integer("batch_size");
        using var scouter = File.Exists(scouterPath) ? CheckpointRun.Load(args, context, useSlot: true, batchSize, scouterPath) : null;
        // The baselines' FC model is always the run's own (in --output_dir), for the data set the SCOUTER checkpoint was trained on.
        var fcPath = CheckpointRun.DefaultPath(scouter?.Arguments ?? args, useSlot: false);
        using var fc = methods.Count > 0 && File.Exists(fcPath) ? CheckpointRun.Load(args, context, useSlot: false, batchSize, fcPath) : null;
        if (scouter is null && fc is null)
        {
            throw new CliException($"Nothing to evaluate: neither {scouterPath} (SCOUTER) nor {fcPath} (FC baseline, for --baselines) exists. Train them first or pass --checkpoint.");
        }

        // The flags as the SCOUTER checkpoint completes them (the seed of its training run, for one).
        args = (scouter ?? fc)!.Arguments;
        if (methods.Count > 0 && fc is null)
        {
            context.Logger.LogWarning("No FC baseline checkpoint at {Path}: baselines skipped", fcPath);
        }

        var data = (scouter ?? fc)!.RequireData();
        if (!HasGroundTruth(data.Val) && (metrics & (ExplanationMetrics.Precision | ExplanationMetrics.PointingGame)) != 0)
        {
            context.Logger.LogWarning("{Name} has no ground-truth boxes or masks: precision and the pointing game are left empty (CUB200, ImageNet with LOC_val_solution.csv, Synthetic and SyntheticScenes have them)", data.Val.Name);
        }

        var polarity = (scouter?.Model.Head as XSlotClassifier)?.Polarity ?? Core.Options.ScouterPolarity.Positive;
        var options = new EvaluationOptions { Seed = args.Integer("seed"), Metrics = metrics, PointingTolerance = tolerance };
        if (args.Text("explained_class") is { } explained)
        {
            var choice = explained.ToLowerInvariant() switch
            {
                "label" => ExplainedClass.Label,
                "predicted" => ExplainedClass.Predicted,
                "least_likely" => ExplainedClass.LeastLikely,
                _ => throw new UsageException($"--explained_class must be label, predicted or least_likely; got '{explained}'."),
            };
            options = polarity == Core.Options.ScouterPolarity.Negative ? options with { NegativeClass = choice } : options with { PositiveClass = choice };
        }

        var saliency = new SaliencyOptions { Samples = args.OptionalInteger("cam_samples"), Seed = args.Integer("seed") };
        var baselines = fc is null ? [] : methods.Select(m => SaliencyMethodRegistry.Default.Create(m, fc.Model, options: saliency)).ToList();
        try
        {
            var maxImages = args.Integer("max_images");
            var loader = data.ValLoader(args.Integer("batch_size"), args.Integer("num_workers"), context.Logs.CreateLogger("data"));
            var report = ProgressBars.Run(context, bars =>
            {
                // The last batch may run past --max_images; the bar then grows to what was evaluated.
                var what = $"evaluating {baselines.Count + (scouter is null ? 0 : 1)} method(s)";
                var task = bars.AddTask(what, maxValue: maxImages > 0 ? Math.Min(maxImages, data.Val.Count) : data.Val.Count);
                var progress = ProgressBars.Reporter<EvaluationProgress>(p =>
                {
                    task.MaxValue = Math.Max(task.MaxValue, p.Images);
                    task.Value = p.Images;
                    task.Description = $"{what}: {p.Images} image(s) in {p.Batches} batch(es)";
                });
                return new ExplanationEvaluator(options).Evaluate(Batches(loader, data.Val, maxImages), scouter?.Model, baselines, progress: progress, cancellationToken: context.Cancellation);
            });

            context.Console.WriteLine(report.ToMarkdown());
            var jsonPath = args.Text("json") ?? Path.Combine(ExplainCommand.OutputRoot(args), "evaluation.json");
            report.Save(jsonPath);
            context.Console.MarkupLine($"Metric table written to {Markup.Escape(jsonPath)}");
            return 0;
        }
        finally
        {
            baselines.ForEach(b => b.Dispose());
        }
    }

    private static double PointingTolerance(double pixels) =>
        pixels >= 0 ? pixels : throw new UsageException($"--pointing_tolerance is a distance in pixels, 0 or more; got {pixels.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");

    private static IReadOnlyList<string> BaselineNames(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return SaliencyMethodRegistry.Default.Names;
        }

        var names = FlagValues.SplitList(text).Select(n => n.ToLowerInvariant()).ToList();
        var unknown = names.Where(n => !SaliencyMethodRegistry.Default.Names.Contains(n)).ToList();
        return unknown.Count == 0 ? names : throw new UsageException($"--baselines: unknown method(s) {string.Join(", ", unknown)}; known: {string.Join(", ", SaliencyMethodRegistry.Default.Names)}, all, none.");
    }

    private static readonly IReadOnlyDictionary<string, ExplanationMetrics> MetricNames = new Dictionary<string, ExplanationMetrics>
    {
        ["precision"] = ExplanationMetrics.Precision,
        ["pointing"] = ExplanationMetrics.PointingGame,
        ["iauc"] = ExplanationMetrics.Insertion,
        ["dauc"] = ExplanationMetrics.Deletion,
        ["infidelity"] = ExplanationMetrics.Infidelity,
        ["sensitivity"] = ExplanationMetrics.MaxSensitivity,
        ["class_precision"] = ExplanationMetrics.ClassPrecision,
        ["class_pointing"] = ExplanationMetrics.ClassPointingGame,
    };

    private static ExplanationMetrics MetricSelection(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return ExplanationMetrics.All;
        }

        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return ExplanationMetrics.None;
        }

        var names = FlagValues.SplitList(text).Select(n => n.ToLowerInvariant()).ToList();
        var unknown = names.Where(n => !MetricNames.ContainsKey(n)).ToList();
        return unknown.Count == 0
            ? names.Aggregate(ExplanationMetrics.None, (all, n) => all | MetricNames[n])
            : throw new UsageException($"--metrics: unknown metric(s) {string.Join(", ", unknown)}; known: {string.Join(", ", MetricNames.Keys)}, all, none.");
    }

    private static bool HasGroundTruth(ImageDataset dataset) =>
        dataset is SyntheticDataset || (dataset.Count > 0 && dataset.GetBoxes(0).Count > 0);

    /// <summary>
    /// Validation batches with their ground truth where the data set has it: the label's region (the union of the masks
    /// of the label's objects where the data set has masks, its boxes otherwise) and every present class's region for
    /// the class-specific metrics; without ground truth, the images and labels alone.
    /// </summary>
    private static IEnumerable<EvaluationBatch> Batches(BatchLoader loader, ImageDataset dataset, int maxImages)
    {
        var seen = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                // Built in a scope of their own and handed out detached: the evaluator runs while this method is
                // suspended at the yield, so a scope open here would collect (and free) the evaluator's tensors too.
                Tensor? masks = null;
                Tensor? boxes = null;
                ClassRegions? regions = null;
                using (var scope = NewDisposeScope())
                {
                    long height = batch.Images.shape[2], width = batch.Images.shape[3];
                    if (batch.ObjectMasks is { } objectMasks)
                    {
                        var classes = ObjectClasses(batch.Objects, objectMasks.shape[1]);
                        var ofLabel = classes.eq(batch.Labels.unsqueeze(1)).view(classes.shape[0], classes.shape[1], 1, 1);
                        masks = objectMasks.logical_and(ofLabel).any(1).DetachFromDisposeScope();
                        regions = ClassRegions.FromObjects(objectMasks, classes);
                    }
                    else if (batch.Objects.Any(o => o.Count > 0))
                    {
                        boxes = BoxTensor(batch.Boxes);
                        var most = batch.Objects.Max(o => o.Count);
                        regions = ClassRegions.FromBoxes(BoxTensor(batch.Objects.Select(o => o.Select(b => b.Box).ToArray()).ToArray()), ObjectClasses(batch.Objects, most), height, width);
                        boxes.DetachFromDisposeScope();
                    }
                }

                try
                {
                    yield return new EvaluationBatch(batch.Images, batch.Labels, boxes, masks, regions);
                }
                finally
                {
                    masks?.Dispose();
                    boxes?.Dispose();
                    regions?.Dispose();
                }
            }

            seen += batch.Count;
            if (maxImages > 0 && seen >= maxImages)
            {
                yield break;
            }
        }
    }

    /// <summary>int64 <c>[B, K]</c>: each object's class, −1 past an image's objects.</summary>
    private static Tensor ObjectClasses(IReadOnlyList<IReadOnlyList<AnnotatedObject>> objects, long planes) =>
        tensor(objects.SelectMany(o => o.Select(x => (long)x.Class).Concat(Enumerable.Repeat(-1L, (int)planes - o.Count))).ToArray()).reshape(objects.Count, planes);

    /// <summary>float32 <c>[B, K, 4]</c>, each image's boxes padded with empty boxes to the most of any image.</summary>
    private static Tensor BoxTensor(IReadOnlyList<IReadOnlyList<BoundingBox>> boxes)
    {
        var most = Math.Max(1, boxes.Max(b => b.Count));
        var values = boxes.SelectMany(list => list.Concat(Enumerable.Repeat(default(BoundingBox), most - list.Count)))
            .SelectMany(b => new[] { (float)b.X1, (float)b.Y1, (float)b.X2, (float)b.Y2 }).ToArray();
        return tensor(values).reshape(boxes.Count, most, 4);
    }
}
