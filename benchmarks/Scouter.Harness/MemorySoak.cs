using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Harness;

/// <summary>
/// A leak check for long runs: repeats training steps or explanation calls and samples the resident set size
/// (native memory included) and the live-tensor count, so growth between an early step and the last one shows.
/// </summary>
/// <remarks>
/// Allocators keep freed blocks, so RSS rises during the first steps before it levels off; compare from a baseline
/// step well past the warm-up (the official question: does RSS grow less than 5% from step 100 to step 1000).
/// </remarks>
public static class MemorySoak
{
    /// <summary>Repeats official training steps (<see cref="TrainingStepBenchmark"/>'s step).</summary>
    /// <param name="options">Model, batch and threads; its step counts are ignored.</param>
    /// <param name="steps">Steps to run (≥ 2).</param>
    /// <param name="baselineStep">The step (1-based) whose RSS is the baseline, in <c>[1, steps)</c>.</param>
    /// <param name="sampleEvery">Record a sample every this many steps (≥ 1).</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public static MemorySoakResult Training(TrainingBenchmarkOptions options, int steps = 1000, int baselineStep = 100, int sampleEvery = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var rig = new TrainingWorkload(options);
        rig.Model.train();
        return Soak(MemorySoakKind.Training, () => rig.TrainStep(), steps, baselineStep, sampleEvery, cancellationToken);
    }

    /// <summary>
    /// Repeats explanation calls: one eval forward of the xSlot model without gradients, then the official 8-bit
    /// maps of every class upsampled to the image size.
    /// </summary>
    /// <param name="options">Model, batch and threads; must use the xSlot head.</param>
    /// <param name="calls">Calls to run (≥ 2).</param>
    /// <param name="baselineCall">The call (1-based) whose RSS is the baseline, in <c>[1, calls)</c>.</param>
    /// <param name="sampleEvery">Record a sample every this many calls (≥ 1).</param>
    /// <param name="cancellationToken">Stops between calls.</param>
    public static MemorySoakResult Explanations(TrainingBenchmarkOptions options, int calls = 1000, int baselineCall = 100, int sampleEvery = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UseSlot)
        {
            throw new ArgumentException("Explanation maps come from the xSlot head; set UseSlot = true.", nameof(options));
        }

        using var rig = new TrainingWorkload(options);
        rig.Model.eval();
        return Soak(MemorySoakKind.Explanations, rig.Explain, calls, baselineCall, sampleEvery, cancellationToken);
    }

    private static MemorySoakResult Soak(MemorySoakKind kind, Action step, int steps, int baselineStep, int sampleEvery, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(baselineStep, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(baselineStep, steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleEvery, 1);

        var samples = new List<MemorySample>();
        MemorySample? baseline = null;
        for (var i = 1; i <= steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            step();
            var isBaseline = i == baselineStep;
            if (isBaseline || i == steps || i % sampleEvery == 0)
            {
                // Garbage from before the soak (or from the workload's set-up) is finalised at unpredictable moments
                // and would move the live-tensor count; collecting first makes the count exact at every sample.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var sample = new MemorySample(i, ProcessMemory.ResidentBytes(), Tensor.TotalCount, GC.GetGCMemoryInfo().TotalCommittedBytes);
                samples.Add(sample);
                baseline = isBaseline ? sample : baseline;
            }
        }

        return new MemorySoakResult(kind, baseline!, samples[^1], samples);
    }
}
