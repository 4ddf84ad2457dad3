using System.Globalization;
using Scouter.Cli.Arguments;
using Scouter.Harness;
using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter bench</c>: times the training step (forward, loss, backward, AdamW) and the eval forward on random
/// tensors for the configuration the official flags describe, and reports medians and the peak resident memory.
/// </summary>
internal static class BenchCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        var steps = args.Integer("steps");
        if (steps < 1)
        {
            throw new UsageException($"--steps must be at least 1; got {steps}.");
        }

        var options = new TrainingBenchmarkOptions
        {
            Backbone = args.Text("model")!,
            InputChannels = string.Equals(args.Text("dataset"), "MNIST", StringComparison.OrdinalIgnoreCase) ? 1 : 3,
            ImageSize = args.Integer("img_size"),
            BatchSize = args.Integer("batch_size"),
            NumClasses = Single(args.IntegerList("num_classes"), "num_classes"),
            SlotsPerClass = Single(args.IntegerList("slots_per_class"), "slots_per_class"),
            HiddenDim = args.Integer("hidden_dim"),
            UseSlot = args.Boolean("use_slot"),
            Threads = args.OptionalInteger("threads"),
            TrainingSteps = steps,
            EvalSteps = steps,
            Seed = args.Integer("seed"),
            LearningRate = args.Number("lr"),
            OutputStride = RunSettings.ReadOutputStride(args),
        };
        var layout = PerformanceSettings.ConvolutionLayout(args);
        options.ChannelsLast = layout.Enabled;
        context.Console.MarkupLine($"[grey]{Markup.Escape(layout.Reason)}[/]");

        MemoryBudget.CheckTraining(new MemoryBudget.Sizes(options.ImageSize, options.UseSlot, options.NumClasses, options.SlotsPerClass, options.HiddenDim, options.OutputStride), options.BatchSize);
        context.Console.MarkupLine($"Timing {Markup.Escape(options.ToString())}: {options.WarmupSteps} warm-up then {steps} timed steps each (random tensors)");
        var result = TrainingStepBenchmark.Run(options, new Progress(context.Console), context.Cancellation);

        var table = new Table().AddColumns("measure", "median ms", "min ms", "max ms");
        void Row(string name, TimingSummary summary) => table.AddRow(name,
            summary.Median.ToString("F1", CultureInfo.InvariantCulture), summary.Min.ToString("F1", CultureInfo.InvariantCulture), summary.Max.ToString("F1", CultureInfo.InvariantCulture));
        Row("training step", result.TrainingStep);
        Row("eval forward", result.EvalForward);
        // Process CPU time per step: on a shared machine it leaves out time spent waiting for a core.
        Row("training step, CPU time", result.TrainingStepCpu);
        Row("eval forward, CPU time", result.EvalForwardCpu);
        context.Console.Write(table);
        context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"threads {result.Threads}, trainable parameters {result.TrainableParameters:N0}, peak RSS {result.PeakRssBytes / (1024.0 * 1024.0):F0} MiB"));
        return 0;
    }

    private static int Single(IReadOnlyList<int> values, string flag) =>
        values.Count == 1 ? values[0] : throw new UsageException($"--{flag}: bench times one configuration; give one value.");

    private sealed class Progress(IAnsiConsole console) : IProgress<string>
    {
        public void Report(string value) => console.MarkupLine($"[grey]{Markup.Escape(value)}[/]");
    }
}
