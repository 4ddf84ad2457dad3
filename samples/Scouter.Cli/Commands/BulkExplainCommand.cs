using System.Diagnostics;
using System.Globalization;
using Scouter.Cli.Arguments;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Training;
using Spectre.Console;
using TorchSharp;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter explain --jsonl FILE</c>: every image of <c>--split</c> (or under <c>--image_dir</c>) through
/// <see cref="BulkExplainer"/>, one JSON line per image, optional overlays; a rerun of the same command continues the file.
/// With <c>--engine onnxruntime</c> ONNX Runtime computes the forward pass (<see cref="OnnxRuntimeForward"/>).
/// </summary>
internal static class BulkExplainCommand
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(2);

    public static int Run(ParsedArguments args, CommandContext context, CheckpointRun run, string jsonl, bool onnxRuntime)
    {
        if (args.Text("image") is not null)
        {
            throw new UsageException("--image explains one image and --jsonl a whole split or --image_dir; give one or the other.");
        }

        var dataset = Images(args, run);
        var options = new BulkExplanationOptions
        {
            BatchSize = args.Integer("batch_size"),
            Workers = args.Integer("num_workers"),
            TopK = args.Integer("top_k"),
            MapSize = args.OptionalInteger("map_size"),
            OverlayDirectory = args.Text("overlays"),
            Resume = !args.Boolean("overwrite"),
            FoldBatchNorm = args.Boolean("fold_batchnorm"),
        };

        // Explained maps are at most the feature map's size unless --map_size enlarges them.
        MemoryBudget.CheckMaps(options.BatchSize, Math.Min(options.TopK, run.ClassNames.Count), options.MapSize ?? 1);
        using var onnx = onnxRuntime ? OnnxRuntimeForward.Create(run.Model, run.Transform, run.Path, torch.get_num_threads(), context.Logger) : null;
        var explainer = onnx is null ? new BulkExplainer(run.Model, options, context.Logger) : new BulkExplainer(run.Model, onnx.Forward, options, context.Logger);
        var lastReport = Stopwatch.StartNew();
        var progress = new Reporter(p =>
        {
            if (lastReport.Elapsed >= ReportEvery || p.Done == p.Total)
            {
                lastReport.Restart();
                context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"explained {p.Done}/{p.Total} images ({p.Fraction:P1}), {p.ImagesPerSecond:F1} images/s{(p.Unreadable > 0 ? $", {p.Unreadable} unreadable" : string.Empty)}"));
            }
        });

        try
        {
            var summary = explainer.Run(dataset, run.Transform, jsonl, progress, context.Cancellation);
            context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{summary.Resumed + summary.Written} of {summary.Total} images in {summary.OutputPath} ({summary.Written} explained now in {summary.Elapsed.TotalSeconds:F1} s, {summary.ImagesPerSecond:F1} images/s; {summary.Resumed} already there)"));
            if (summary.OverlaysWritten > 0)
            {
                context.Console.WriteLine($"{summary.OverlaysWritten} overlays written to {options.OverlayDirectory}");
            }

            if (summary.Unreadable > 0)
            {
                context.Console.MarkupLine($"[yellow]{summary.Unreadable} image(s) could not be read; rerun to retry them.[/]");
            }

            return 0;
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            throw new RunCancelledException($"Cancelled; every line of {jsonl} is complete. Run the same command again to continue.");
        }
    }

    private static ImageDataset Images(ParsedArguments args, CheckpointRun run)
    {
        if (args.Text("image_dir") is { } folder)
        {
            return ImageDirectory.Load(folder, run.ClassNames, run.Transform.Normalization.Mean.Count);
        }

        var data = run.RequireData();
        return args.Text("split")?.ToLowerInvariant() switch
        {
            "val" => data.Val,
            "train" => data.Train,
            var other => throw new UsageException($"--split must be val or train; got '{other}'."),
        };
    }

    /// <summary>Reports on the explaining thread: <see cref="Progress{T}"/> would post to the thread pool and lag behind.</summary>
    private sealed class Reporter(Action<BulkExplanationProgress> report) : IProgress<BulkExplanationProgress>
    {
        public void Report(BulkExplanationProgress value) => report(value);
    }
}
