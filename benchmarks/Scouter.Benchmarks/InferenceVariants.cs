using System.Diagnostics;
using System.Text.Json.Nodes;
using Scouter.Core.Explanations;
using Scouter.Core.Inference;
using Scouter.Core.Training;
using Scouter.Harness;
using static TorchSharp.torch;

namespace Scouter.Benchmarks;

/// <summary>
/// The explanation forward pass (model forward, then the official 8-bit maps of every class) of one preset in the
/// ways it can run: under <c>no_grad</c> as before, in inference mode, with batch norms folded, with channels-last
/// weights, and both. The variants alternate in one process (a round runs each once, in a rotating order), so they
/// see the same load; the result gives each variant's median and the median of its per-round ratios to
/// <c>no_grad</c>.
/// </summary>
internal static class InferenceVariants
{
    private static readonly string[] Names = ["no_grad", "inference", "fold", "channels_last", "fold+channels_last"];

    public static JsonObject Run(TrainingBenchmarkOptions options)
    {
        var plain = options.Clone();
        plain.ChannelsLast = false;
        using var workload = new TrainingWorkload(plain);
        var model = workload.Model;
        model.eval();
        var times = Names.ToDictionary(name => name, _ => new List<double>());
        var cpu = Names.ToDictionary(name => name, _ => new List<double>());
        var folded = 0;
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < options.WarmupSteps + options.EvalSteps; round++)
        {
            for (var k = 0; k < Names.Length; k++)
            {
                var name = Names[(round + k) % Names.Length];
                using var layout = name.Contains("channels_last", StringComparison.Ordinal) ? ChannelsLast.Use(model) : null;
                using var folding = name.StartsWith("fold", StringComparison.Ordinal) ? BatchNormFolding.Fold(model.Backbone, workload.Images) : null;
                folded = folding?.Count ?? folded;
                process.Refresh();
                var cpuStart = process.TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                Explain(model, workload.Images, name != "no_grad");
                var wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                process.Refresh();
                if (round >= options.WarmupSteps)
                {
                    times[name].Add(wall);
                    cpu[name].Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
                }
            }
        }

        var json = new JsonObject
        {
            ["side"] = "ours",
            ["options"] = options.ToString(),
            ["threads"] = workload.Threads,
            ["kernels"] = CpuKernelSupport.Current.ToString(),
            ["default_layout"] = PerformanceDefaults.ConvolutionLayout(options.Backbone, options.ImageSize).Reason,
            ["batch_norms_folded"] = folded,
            ["channels_last_self_check"] = ConvolutionSelfCheck.ChannelsLastCpu.IsCorrect ? "passed" : ConvolutionSelfCheck.ChannelsLastCpu.Failures,
        };
        foreach (var name in Names)
        {
            // On a shared machine wall time counts waiting for a core; with one thread, CPU time does not.
            var ratios = new TimingSummary(times[name].Zip(times["no_grad"], (a, b) => a / b).ToArray());
            var cpuRatios = new TimingSummary(cpu[name].Zip(cpu["no_grad"], (a, b) => a / b).ToArray());
            json[name] = new JsonObject
            {
                ["ms"] = new TimingSummary(times[name]).Median,
                ["cpu_ms"] = new TimingSummary(cpu[name]).Median,
                ["ratio"] = ratios.Median,
                ["ratio_q25"] = ratios.Quantile(0.25),
                ["ratio_q75"] = ratios.Quantile(0.75),
                ["cpu_ratio"] = cpuRatios.Median,
                ["cpu_ratio_q25"] = cpuRatios.Quantile(0.25),
                ["cpu_ratio_q75"] = cpuRatios.Quantile(0.75),
            };
        }

        return json;
    }

    private static void Explain(Scouter.Core.Modules.ScouterModel model, Tensor images, bool inferenceMode)
    {
        using var scope = NewDisposeScope();
        using var guard = inferenceMode ? inference_mode() : no_grad();
        using var output = model.ForwardDetailed(images);
        if (output.ClassMaps is { } maps)
        {
            ExplanationMaps.ToOfficialUInt8(maps);
        }
    }
}
