using System.Diagnostics;
using System.Text.Json.Nodes;
using Scouter.Harness;

namespace Scouter.Benchmarks;

/// <summary>
/// What the xSlot head adds to a training step: the FC model and the SCOUTER model of one preset are built in the same
/// process and their steps alternate (FC, SCOUTER, SCOUTER, FC, …), so both see the same load; the result is the
/// median of the per-pair ratios. <c>bench_official.py --head both</c> does the same for the official code.
/// </summary>
internal static class HeadOverhead
{
    public static JsonObject Run(TrainingBenchmarkOptions options)
    {
        var fcOptions = options.Clone();
        fcOptions.UseSlot = false;
        var slotOptions = options.Clone();
        slotOptions.UseSlot = true;
        using var fc = new TrainingWorkload(fcOptions);
        using var slot = new TrainingWorkload(slotOptions);
        fc.Model.train();
        slot.Model.train();
        for (var i = 0; i < options.WarmupSteps; i++)
        {
            fc.TrainStep();
            slot.TrainStep();
        }

        var fcTimes = new List<double>();
        var slotTimes = new List<double>();
        for (var i = 0; i < options.TrainingSteps; i++)
        {
            var order = i % 2 == 0 ? new[] { fc, slot } : [slot, fc];
            foreach (var workload in order)
            {
                var start = Stopwatch.GetTimestamp();
                workload.TrainStep();
                (workload == fc ? fcTimes : slotTimes).Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        var ratios = new TimingSummary(slotTimes.Zip(fcTimes, (s, f) => s / f).ToArray());
        return new JsonObject
        {
            ["side"] = "ours",
            ["options"] = slotOptions.ToString(),
            ["threads"] = slot.Threads,
            ["fc_train_ms"] = new TimingSummary(fcTimes).Median,
            ["slot_train_ms"] = new TimingSummary(slotTimes).Median,
            ["slot_over_fc"] = ratios.Median,
            ["slot_over_fc_q25"] = ratios.Quantile(0.25),
            ["slot_over_fc_q75"] = ratios.Quantile(0.75),
        };
    }
}
