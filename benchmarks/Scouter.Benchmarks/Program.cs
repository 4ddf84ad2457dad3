// Entry point of the benchmark suite.
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- --filter '*'        BenchmarkDotNet suite
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- steps --preset mnist260 --head xslot
//       one JSON line in the schema of benchmarks/official/bench_official.py (side-by-side runs)
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- soak --kind training --steps 1000
//       RSS from step 100 to the last step, as JSON
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- profile --preset mnist260
//       median time of each phase of a training step, as JSON
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- overhead --preset mnist260
//       FC and SCOUTER steps alternating in one process: what the xSlot head adds, as JSON
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- strides --preset r18_64
//       output strides 32, 16 and 8 interleaved in one process: what 16 and 8 cost, as JSON
//   dotnet run -c Release --project benchmarks/Scouter.Benchmarks -- inference --preset r18_64
//       the explanation forward pass with no_grad, inference mode, folded batch norms, channels-last, alternating
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Running;
using Scouter.Harness;

namespace Scouter.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "steps" or "soak" or "profile" or "overhead" or "strides" or "inference")
        {
            var flags = ParseFlags(args.AsSpan(1));
            var reuse = flags.GetValueOrDefault("reuse-freed-memory", "false") == "true" && Scouter.Core.Training.NativeAllocator.ReuseFreedMemory();
            var options = TrainingBenchmarkOptions.Preset(flags.GetValueOrDefault("preset", "mnist260"));
            options.UseSlot = flags.GetValueOrDefault("head", "xslot") is "xslot" or "slot";
            options.Threads = flags.TryGetValue("threads", out var threads) ? Int(threads) : BenchmarkThreads.Requested;
            Apply(flags, "image-size", v => options.ImageSize = v);
            Apply(flags, "batch", v => options.BatchSize = v);
            Apply(flags, "classes", v => options.NumClasses = v);
            Apply(flags, "slots", v => options.SlotsPerClass = v);
            Apply(flags, "input-channels", v => options.InputChannels = v);
            Apply(flags, "warmup", v => options.WarmupSteps = v);
            Apply(flags, "steps", v => options.TrainingSteps = v);
            Apply(flags, "eval-steps", v => options.EvalSteps = v);
            Apply(flags, "output-stride", v => options.OutputStride = v);
            if (flags.TryGetValue("backbone", out var backbone))
            {
                options.Backbone = backbone;
            }

            // "auto": what PerformanceDefaults chooses for this machine and model, as the CLI does by default.
            if (flags.TryGetValue("channels-last", out var channelsLast))
            {
                options.ChannelsLast = channelsLast == "auto"
                    ? Scouter.Core.Training.PerformanceDefaults.ConvolutionLayout(options.Backbone, options.ImageSize).Enabled
                    : channelsLast == "true";
            }

            var json = args[0] switch
            {
                "steps" => Steps(options, flags, reuse),
                "profile" => StepProfile.Run(options),
                "overhead" => HeadOverhead.Run(options),
                "strides" => StrideCost.Run(options),
                "inference" => InferenceVariants.Run(options),
                _ => Soak(options, flags, reuse),
            };
            Console.WriteLine(json.ToJsonString());
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static JsonObject Steps(TrainingBenchmarkOptions options, Dictionary<string, string> flags, bool reuse)
    {
        var result = TrainingStepBenchmark.Run(options, new StderrProgress());
        return new JsonObject
        {
            ["side"] = "ours",
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
            ["config"] = flags.GetValueOrDefault("preset", "mnist260"),
            ["head"] = options.UseSlot ? "slot" : "fc",
            ["options"] = options.ToString(),
            ["threads"] = result.Threads,
            ["reuse_freed_memory"] = reuse,
            ["channels_last"] = options.ChannelsLast,
            ["kernels"] = Scouter.Core.Training.CpuKernelSupport.Current.ToString(),
            ["process_threads"] = result.ProcessThreads,
            ["train_ms"] = Summary(result.TrainingStep),
            ["eval_ms"] = Summary(result.EvalForward),
            ["train_cpu_ms"] = Summary(result.TrainingStepCpu),
            ["eval_cpu_ms"] = Summary(result.EvalForwardCpu),
            ["peak_rss_mib"] = result.PeakRssBytes / 1048576.0,
        };
    }

    private static JsonObject Soak(TrainingBenchmarkOptions options, Dictionary<string, string> flags, bool reuse)
    {
        var steps = flags.TryGetValue("steps", out var s) ? Int(s) : 1000;
        var baseline = flags.TryGetValue("baseline", out var b) ? Int(b) : 100;
        var kind = flags.GetValueOrDefault("kind", "training");
        var result = kind == "explanations"
            ? MemorySoak.Explanations(options, steps, baseline)
            : MemorySoak.Training(options, steps, baseline);
        Console.Error.WriteLine(result);
        return new JsonObject
        {
            ["side"] = "ours",
            ["kind"] = kind,
            ["reuse_freed_memory"] = reuse,
            ["options"] = options.ToString(),
            ["baseline_step"] = result.Baseline.Step,
            ["final_step"] = result.Final.Step,
            ["baseline_rss_mib"] = result.Baseline.ResidentBytes / 1048576.0,
            ["final_rss_mib"] = result.Final.ResidentBytes / 1048576.0,
            ["rss_growth"] = result.RssGrowth,
            ["live_tensor_growth"] = result.LiveTensorGrowth,
            ["samples"] = new JsonArray(result.Samples.Select(x => (JsonNode)new JsonArray(x.Step, Math.Round(x.ResidentBytes / 1048576.0, 1), x.LiveTensors, Math.Round(x.ManagedCommittedBytes / 1048576.0, 1))).ToArray()),
        };
    }

    // JSON has no NaN: a summary of nothing (e.g. --eval-steps 0) writes nulls.
    private static JsonObject Summary(TimingSummary timing) => new()
    {
        ["median"] = timing.Count == 0 ? null : timing.Median,
        ["min"] = timing.Count == 0 ? null : timing.Min,
        ["max"] = timing.Count == 0 ? null : timing.Max,
        ["all"] = JsonSerializer.SerializeToNode(timing.Milliseconds.Select(x => Math.Round(x, 2)).ToArray()),
    };

    private static Dictionary<string, string> ParseFlags(ReadOnlySpan<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}'.");
            }

            flags[args[i][2..]] = args[++i];
        }

        return flags;
    }

    private static void Apply(Dictionary<string, string> flags, string name, Action<int> set)
    {
        if (flags.TryGetValue(name, out var value))
        {
            set(Int(value));
        }
    }

    // Progress<T> posts to the thread pool; lines must come out in order, before the result.
    private sealed class StderrProgress : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
