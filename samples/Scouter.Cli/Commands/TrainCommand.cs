using Scouter.Core.Data.Loading;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Diagnostics;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Losses;
using Scouter.Core.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary><c>scouter train</c>: the official <c>train.py</c>, sweeps and <c>--thop</c> included.</summary>
internal static class TrainCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        if (args.Boolean("thop"))
        {
            return Thop(args, context);
        }

        var settings = SweepSetting.Expand(args);
        // A sweep's settings would replace each other's checkpoints: each writes its run in a subfolder of
        // --output_dir, and --use_pre still reads the FC baseline from --output_dir itself.
        // Likewise one TensorBoard run per setting, so their curves can be compared.
        var runs = settings.Select(setting =>
        {
            var flags = new Dictionary<string, string>(setting.AsFlags());
            if (settings.Count > 1 && !string.IsNullOrEmpty(args.Text("output_dir")))
            {
                flags["output_dir"] = Path.Combine(args.Text("output_dir")!, setting.FolderName);
            }

            if (settings.Count > 1 && args.Text("tensorboard") is { Length: > 0 } tensorBoard)
            {
                flags["tensorboard"] = Path.Combine(tensorBoard, setting.FolderName);
            }

            return args.With(flags);
        }).ToList();
        var top = args.Text("output_dir") ?? string.Empty;
        // Every setting is checked before the first trains: its values, its memory, the runs it would replace.
        foreach (var run in runs)
        {
            var planned = RunSettings.From(run) with { PreCheckpointDir = top };
            ClassifierHeadOptionsValidator.ThrowIfInvalid(planned.Head);
            ScouterLossOptionsValidator.ThrowIfInvalid(planned.Loss);
            TrainingOptionsValidator.ThrowIfInvalid(planned.Training);
            MemoryBudget.CheckTraining(planned);
            RequireNoEarlierRun(run, planned);
        }

        var results = new List<(SweepSetting Setting, EpochMetrics Last)>();
        foreach (var (setting, run) in settings.Zip(runs))
        {
            if (settings.Count > 1)
            {
                context.Console.MarkupLine($"[bold]Sweep {results.Count + 1}/{settings.Count}:[/] {Markup.Escape(setting.ToString())}{(string.IsNullOrEmpty(top) ? string.Empty : $" → {Markup.Escape(run.Text("output_dir")!)}")}");
            }

            var history = TrainOne(run, context, top);
            if (history.Count > 0)
            {
                results.Add((setting, history[^1]));
            }
        }

        if (settings.Count > 1)
        {
            var table = new Table().AddColumns("num_classes", "lambda_value", "power", "slots_per_class", "run", "train acc", "val acc");
            foreach (var (s, last) in results)
            {
                table.AddRow(s.NumClasses.ToString(CultureInfo.InvariantCulture), s.Lambda.ToString(CultureInfo.InvariantCulture), s.Power.ToString(CultureInfo.InvariantCulture),
                    s.SlotsPerClass.ToString(CultureInfo.InvariantCulture), (s.Repetition + 1).ToString(CultureInfo.InvariantCulture),
                    last.Train.Accuracy.ToString("P2", CultureInfo.InvariantCulture), last.Validation.Accuracy.ToString("P2", CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
        }

        return 0;
    }

    /// <summary>
    /// Stops, before any work, a run that would replace an earlier one in its folder (<see cref="EarlierRun"/>): this
    /// run's own files, and the FC baseline's when the synthetic profile would train it first.
    /// </summary>
    private static void RequireNoEarlierRun(ParsedArguments args, RunSettings run)
    {
        if (string.IsNullOrEmpty(run.Training.OutputDir))
        {
            return;
        }

        var overwrite = args.Boolean("overwrite");
        var target = new CheckpointTarget(run.Training.DatasetName, run.Head.UseSlot, run.Head.Polarity);
        var latest = Path.Combine(run.Training.OutputDir, target.Latest);
        var continues = run.Training.Resume && (RunSettings.ResumePath(args.Text("resume")) is not { } path || Path.GetFullPath(path) == Path.GetFullPath(latest));
        EarlierRun.RequireNone(run.Training.OutputDir, CheckpointNames.Stem(target.Dataset, target.UseSlot, target.Polarity), continues, overwrite);
        if (run.WarmsUpAutomatically && !File.Exists(run.PreCheckpointPath))
        {
            EarlierRun.RequireNone(run.PreCheckpointDir, CheckpointNames.Stem(run.Training.DatasetName, useSlot: false, ScouterPolarity.Positive), continues: false, overwrite);
        }
    }

    private static IReadOnlyList<EpochMetrics> TrainOne(ParsedArguments args, CommandContext context, string preCheckpointDir)
    {
        var run = RunSettings.From(args) with { PreCheckpointDir = preCheckpointDir };
        if (run.WarmsUpAutomatically && !string.IsNullOrEmpty(preCheckpointDir) && !File.Exists(run.PreCheckpointPath))
        {
            context.Console.MarkupLine("[bold]Stage 1 of 2:[/] FC pre-training of the backbone (the seed's recipe; --use_pre true is the synthetic default)");
            var warmUp = RunSettings.WarmUpProfileOf(args)!
                .Where(p => p.Key == "use_slot" || !args.IsExplicit(p.Key))
                .ToDictionary(p => p.Key, p => p.Value);
            warmUp["output_dir"] = preCheckpointDir;
            TrainOne(args.With(warmUp, asExplicit: true), context, preCheckpointDir);
            context.Console.MarkupLine("[bold]Stage 2 of 2:[/] SCOUTER from the FC backbone");
        }

        if (!string.IsNullOrEmpty(run.Training.TensorBoardDir))
        {
            // A run of its own for each head, so the warm-up's FC curves and SCOUTER's stay apart.
            run.Training.TensorBoardDir = Path.Combine(run.Training.TensorBoardDir, CheckpointNames.Stem(run.Training.DatasetName, run.Head.UseSlot, run.Head.Polarity).TrimEnd('_'));
        }

        manual_seed(run.Training.Seed);
        var data = DatasetFactory.Create(run.Data);
        context.Logger.LogInformation("{Train}; {Val}", data.Train, data.Val);

        var (model, backbone) = ModelBuilder.Build(run, data.Train.Channels, data.Train.NumClasses, context.Logger);
        using var _ = backbone;
        using var __ = model;
        using var replicaBackbones = new ReplicaBackbones();
        using var loss = ScouterLoss.Create(run.Loss);
        var target = new CheckpointTarget(run.Training.DatasetName, run.Head.UseSlot, run.Head.Polarity);
        var store = new OfficialCheckpointStore();

        // Data-parallel replicas need the same architecture; their weights are overwritten from the main model.
        var replicaSettings = run with { PreTrained = false, UsePre = false, FreezeLayers = 0 };
        ScouterModel NewReplica()
        {
            var (replica, replicaBackbone) = ModelBuilder.Build(replicaSettings, data.Train.Channels, data.Train.NumClasses, NullLogger.Instance);
            replicaBackbones.Add(replicaBackbone);
            return replica;
        }

        using var trainer = new Trainer(model, loss, run.Training, store, target, OfficialArgsFactory.From(OfficialArgsFactory.Describing(RunSettings.Effective(args), model.Head)), context.Logs.CreateLogger<Trainer>(), NewReplica);

        if (RunSettings.ResumePath(args.Text("resume")) is { } resumePath)
        {
            using var checkpoint = store.Load(resumePath);
            if (checkpoint.Args.Count > 0 && checkpoint.Args.OutputStride != run.OutputStride)
            {
                context.Logger.LogWarning("{Path} was trained at output stride {Saved}; training continues at --output_stride {Given}", resumePath, checkpoint.Args.OutputStride, run.OutputStride);
            }

            trainer.RestoreCheckpoint(checkpoint);
            context.Logger.LogInformation("Resumed from {Path}; continuing at epoch {Epoch}", resumePath, trainer.NextEpoch + 1);
        }

        var outputDir = run.Training.OutputDir;
        var stem = CheckpointNames.Stem(target.Dataset, target.UseSlot, target.Polarity);
        if (!string.IsNullOrEmpty(outputDir))
        {
            // After every epoch, with the epochs of the run this one resumes: a failure later loses none of them.
            IReadOnlyList<EpochMetrics>? earlier = null;
            var epochs = new List<EpochMetrics>();
            trainer.EpochCompleted += (_, metrics) =>
            {
                earlier ??= MetricsFiles.ReadEarlier(outputDir, stem, metrics.Epoch, context.Logger);
                epochs.Add(metrics);
                MetricsFiles.Write(outputDir, stem, [.. earlier, .. epochs]);
            };
        }

        var batches = new LoaderBatches(
            data.TrainLoader(run.Training.BatchSize, run.Training.Seed, run.Workers, context.Logs.CreateLogger("data")),
            data.ValLoader(run.Training.BatchSize, run.Workers, context.Logs.CreateLogger("data")));
        context.Console.MarkupLine($"Training [bold]{Markup.Escape(run.Model)}[/] + {(run.Head.UseSlot ? $"xSlot ({run.Head.Polarity} SCOUTER, λ = {run.Loss.Lambda.ToString(CultureInfo.InvariantCulture)})" : "FC")} on {Markup.Escape(data.Train.Name)} at {run.Data.ImageSize} px on {Markup.Escape(DescribeDevices(trainer))}, {run.Training.Epochs} epoch(s) of {batches.TrainBatchCount} batches");

        IReadOnlyList<EpochMetrics> history;
        try
        {
            history = TrainingProgressDisplay.Run(context, run.Training.Epochs, trainer, batches);
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            throw new RunCancelledException(CancelledMessage(trainer, outputDir, target));
        }

        if (!string.IsNullOrEmpty(run.Training.TensorBoardDir) && history.Count > 0)
        {
            context.Console.MarkupLine($"TensorBoard events: {Markup.Escape(run.Training.TensorBoardDir)} (view with: tensorboard --logdir {Markup.Escape(args.Text("tensorboard")!)})");
        }

        if (!string.IsNullOrEmpty(outputDir) && history.Count > 0)
        {
            context.Console.MarkupLine($"Metrics: {string.Join(", ", MetricsFiles.Paths(outputDir, stem).Select(p => Markup.Escape(p)))}");
            if (model.Head is XSlotClassifier head)
            {
                WriteExplanations(context, data, model, head, Path.Combine(outputDir, stem + "explanations"));
            }
        }

        return history;
    }

    /// <summary>What Ctrl+C left: the last finished epoch's checkpoint when there is one, else that nothing was saved.</summary>
    private static string CancelledMessage(Trainer trainer, string? outputDir, CheckpointTarget target)
    {
        var finished = trainer.NextEpoch;
        if (string.IsNullOrEmpty(outputDir))
        {
            return $"Cancelled during epoch {finished + 1}; nothing was saved (no --output_dir).";
        }

        var latest = Path.Combine(outputDir, target.Latest);
        if (finished == 0)
        {
            return "Cancelled during epoch 1, before any epoch finished: no checkpoint was written.";
        }

        return File.Exists(latest)
            ? $"Cancelled during epoch {finished + 1}; the checkpoint of epoch {finished} is intact: {latest}. Continue with --resume true."
            : $"Cancelled during epoch {finished + 1}; no checkpoint of this run was written to {outputDir}.";
    }

    /// <summary>The backbones of data-parallel replicas: their models are disposed by the trainer, the rest of each backbone here.</summary>
    private sealed class ReplicaBackbones : List<Backbone>, IDisposable
    {
        public void Dispose() => ForEach(backbone => backbone.Dispose());
    }

    private static string DescribeDevices(Trainer trainer) =>
        trainer.Devices.Count == 1 ? trainer.Device.type.ToString() : $"{trainer.Devices.Count} data-parallel replicas ({string.Join(", ", trainer.Devices)})";

    /// <summary>
    /// What the official test.py draws, for the first validation images: every class's map over each image; then one
    /// readable panel per image (its most likely classes' maps on a colour scale and as contours, with names and
    /// probabilities) and an offline HTML report of it all.
    /// </summary>
    private static void WriteExplanations(CommandContext context, LoadedDatasets data, Core.Modules.ScouterModel model, XSlotClassifier head, string directory)
    {
        const int images = 4;
        var (inputs, pictures, labels, names) = PreviewImages.Load(data.ValTransform, data, null, 0, images);
        using var _ = inputs;
        using var __ = pictures;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var output = model.ForwardDetailed(inputs.to(model.parameters().First().device));
        var maps = output.ClassMaps!.cpu();
        var scores = output.Scores.cpu();
        using var rendered = new ExplanationRenderer(new RenderOptions { Polarity = head.Polarity }).Render(pictures, maps, scores);
        var files = rendered.Save(directory);
        using var panels = new PanelRenderer(new PanelOptions { Polarity = head.Polarity, ClassNames = data.ClassNames }).Render(pictures, maps, scores, tensor(labels), names);
        var panelFiles = panels.Save(directory);
        var report = Path.Combine(directory, "report.html");
        var method = head.Polarity == ScouterPolarity.Negative ? "SCOUTER−" : "SCOUTER+";
        HtmlReport.Write(report, $"{method} on {data.Train.Name}: the first {labels.Length} validation images", [new($"{method}, every class (the official overlay)", rendered)], scores, data.ClassNames, panels: panels);

        var predicted = scores.argmax(1).data<long>().ToArray();
        var correct = predicted.Zip(labels).Count(p => p.First == p.Second);
        context.Console.MarkupLine($"Explanations of {labels.Length} validation images ({correct} classified correctly): {files.Count} images and {panelFiles.Count} panels (panel_0.png, …) in {Markup.Escape(directory)}");
        if (!panels.HasText)
        {
            context.Logger.LogWarning("No font is installed: the panels carry no class names or probabilities; the report has them");
        }

        context.Console.MarkupLine($"Report: [bold]{Markup.Escape(Path.GetFullPath(report))}[/]");
    }

    private static int Thop(ParsedArguments args, CommandContext context)
    {
        var run = RunSettings.From(args);
        var inputChannels = string.Equals(run.Data.Name, "MNIST", StringComparison.OrdinalIgnoreCase) ? 1 : 3;
        var numClasses = run.Head.NumClasses;
        var quiet = run with { PreTrained = false, UsePre = false };
        var (model, backbone) = ModelBuilder.Build(quiet, inputChannels, numClasses, context.Logger);
        using var _ = backbone;
        using var __ = model;
        var complexity = ModelComplexity.Measure(model, [1, inputChannels, 260, 260]);
        context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run.Model} + {(run.Head.UseSlot ? "xSlot" : "FC")} head, {numClasses} classes, one {inputChannels}x260x260 image: " +
            $"trainable parameters {complexity.TrainableParameters / 1e6:F3} M (of {complexity.TotalParameters / 1e6:F3} M), FLOPs (multiply-accumulates) {complexity.MultiplyAccumulates / 1e9:F3} G"));
        return 0;
    }
}
