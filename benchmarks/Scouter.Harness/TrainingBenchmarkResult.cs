namespace Scouter.Harness;

/// <summary>What <see cref="TrainingStepBenchmark.Run"/> measured.</summary>
/// <param name="Options">The configuration that was run (a copy).</param>
/// <param name="Threads">LibTorch intra-op threads in force during the run.</param>
/// <param name="TrainingStep">Wall-clock times of the timed training steps (forward, loss, backward, AdamW, loss read back).</param>
/// <param name="EvalForward">Wall-clock times of the timed eval forwards (eval mode, no gradients); empty when none were asked for.</param>
/// <param name="PeakRssBytes">The process's peak resident set size at the end of the run (<see cref="ProcessMemory.PeakResidentBytes"/>).</param>
/// <param name="ProcessThreads">Threads of the process at the end of the run (managed, LibTorch pools and runtime).</param>
/// <param name="TrainableParameters">Elements of the trainable parameters.</param>
public sealed record TrainingBenchmarkResult(
    TrainingBenchmarkOptions Options,
    int Threads,
    TimingSummary TrainingStep,
    TimingSummary EvalForward,
    long PeakRssBytes,
    int ProcessThreads,
    long TrainableParameters)
{
    /// <summary>
    /// Process CPU time (all threads) of each timed training step. Unlike the wall clock it does not count time spent
    /// waiting for a core, so on a shared machine it tells load from work; with n busy threads it is up to n × wall.
    /// </summary>
    public TimingSummary TrainingStepCpu { get; init; } = new([]);

    /// <summary>Process CPU time (all threads) of each timed eval forward.</summary>
    public TimingSummary EvalForwardCpu { get; init; } = new([]);

    /// <summary>Median milliseconds per training step.</summary>
    public double MedianTrainingStepMs => TrainingStep.Median;

    /// <summary>Median milliseconds per eval forward (NaN when none were timed).</summary>
    public double MedianEvalForwardMs => EvalForward.Median;

    /// <summary>A one-line summary.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Options}, {Threads} threads: train {TrainingStep}, eval {EvalForward}, peak RSS {PeakRssBytes / (1024.0 * 1024.0):F0} MiB");
}
