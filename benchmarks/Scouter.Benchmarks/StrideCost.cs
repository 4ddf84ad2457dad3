using System.Diagnostics;
using System.Text.Json.Nodes;
using Scouter.Core.Backbones;
using Scouter.Harness;

namespace Scouter.Benchmarks;

/// <summary>
/// What an output stride of 16 or 8 costs: the preset is built at output strides 32, 16 and 8 in one process and
/// their training steps are interleaved (the order rotates every round), so all three see the same load; the result
/// is the median of the per-round ratios to stride 32, for wall time and for process CPU time.
/// </summary>
internal static class StrideCost
{
    public static JsonObject Run(TrainingBenchmarkOptions options)
    {
        var strides = BackboneOptions.SupportedOutputStrides;
        var workloads = strides.Select(stride =>
        {
            var strided = options.Clone();
            strided.OutputStride = stride;
            return new TrainingWorkload(strided);
        }).ToList();
        try
        {
            workloads.ForEach(w => w.Model.train());
            for (var i = 0; i < options.WarmupSteps; i++)
            {
                workloads.ForEach(w => w.TrainStep());
            }

            var wall = strides.Select(_ => new List<double>()).ToList();
            var cpu = strides.Select(_ => new List<double>()).ToList();
            using var process = Process.GetCurrentProcess();
            for (var round = 0; round < options.TrainingSteps; round++)
            {
                for (var k = 0; k < strides.Count; k++)
                {
                    var index = (round + k) % strides.Count;
                    process.Refresh();
                    var cpuStart = process.TotalProcessorTime;
                    var start = Stopwatch.GetTimestamp();
                    workloads[index].TrainStep();
                    wall[index].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    process.Refresh();
                    cpu[index].Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
                }
            }

            var result = new JsonObject
            {
                ["side"] = "ours",
                ["options"] = options.ToString(),
                ["threads"] = workloads[0].Threads,
                ["rounds"] = options.TrainingSteps,
            };
            for (var k = 0; k < strides.Count; k++)
            {
                var name = $"os{strides[k]}";
                result[$"{name}_train_ms"] = new TimingSummary(wall[k]).Median;
                result[$"{name}_train_cpu_ms"] = new TimingSummary(cpu[k]).Median;
                result[$"{name}_over_os32"] = new TimingSummary(wall[k].Zip(wall[0], (a, b) => a / b).ToArray()).Median;
                result[$"{name}_over_os32_cpu"] = new TimingSummary(cpu[k].Zip(cpu[0], (a, b) => a / b).ToArray()).Median;
            }

            return result;
        }
        finally
        {
            workloads.ForEach(w => w.Dispose());
        }
    }
}
