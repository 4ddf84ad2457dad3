using System.Diagnostics;
using System.Text.Json.Nodes;
using Scouter.Core.Losses;
using Scouter.Core.Options;
using Scouter.Harness;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Benchmarks;

/// <summary>
/// Splits a training step into its phases (backbone forward, head forward, loss, backward, AdamW step, read-back)
/// and times each, median over the timed steps; <c>bench_official.py --profile</c> splits the official step the same
/// way. Used to find where the two implementations differ.
/// </summary>
internal static class StepProfile
{
    public static JsonObject Run(TrainingBenchmarkOptions options)
    {
        using var workload = new TrainingWorkload(options);
        var model = workload.Model;
        model.train();
        var loss = ScouterLoss.Create(new ScouterLossOptions());
        var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), lr: 1e-4, weight_decay: 0.01);
        var phases = new[] { "backbone", "head", "loss", "backward", "zero_grad+step", "item" };
        var times = phases.ToDictionary(p => p, _ => new List<double>());
        for (var i = 0; i < options.WarmupSteps + options.TrainingSteps; i++)
        {
            var timed = i >= options.WarmupSteps;
            T Time<T>(string phase, Func<T> action)
            {
                var start = Stopwatch.GetTimestamp();
                var value = action();
                if (timed)
                {
                    times[phase].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                return value;
            }

            using var scope = NewDisposeScope();
            var features = Time("backbone", () => model.Backbone.call(workload.Images));
            using var output = Time("head", () => model.Head.ForwardDetailed(features));
            var result = Time("loss", () => loss.call(output, workload.Labels));
            Time("backward", () => { result.Total.backward(); return 0; });
            Time("zero_grad+step", () => { optimizer.step(); optimizer.zero_grad(); return 0; });
            Time("item", () => result.Total.item<float>());
        }

        var json = new JsonObject { ["side"] = "ours", ["options"] = options.ToString(), ["threads"] = workload.Threads };
        foreach (var phase in phases)
        {
            json[phase] = Median(times[phase]);
        }

        return json;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}
