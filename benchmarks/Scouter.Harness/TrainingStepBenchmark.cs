using System.Diagnostics;
using TorchSharp;

namespace Scouter.Harness;

/// <summary>
/// Times SCOUTER (or the FC baseline) on random data the way the official engine trains: per step <c>zero_grad</c>,
/// forward, SCOUTER loss, backward, AdamW, one value read back; then eval-mode forwards without gradients. Warm-up
/// runs come first and are not timed. The numbers compare directly with
/// <c>benchmarks/official/bench_official.py</c>, which times the official PyTorch code the same way.
/// </summary>
/// <example>
/// <code>
/// var result = TrainingStepBenchmark.Run(new TrainingBenchmarkOptions { Threads = 2, TrainingSteps = 20 });
/// Console.WriteLine($"{result.MedianTrainingStepMs:F0} ms per step, {result.MedianEvalForwardMs:F0} ms per eval forward");
/// </code>
/// </example>
public static class TrainingStepBenchmark
{
    /// <summary>Builds the configured model and times it.</summary>
    /// <param name="options">The configuration; validated and copied.</param>
    /// <param name="progress">Receives a line per phase (warm-up, training, eval); optional.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="ArgumentException">An option is out of range, or the backbone name is unknown.</exception>
    public static TrainingBenchmarkResult Run(TrainingBenchmarkOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var rig = new TrainingWorkload(options);
        var settings = rig.Options;

        rig.Model.train();
        progress?.Report($"{settings}: {settings.WarmupSteps} warm-up training step(s)");
        Repeat(settings.WarmupSteps, () => rig.TrainStep(), cancellationToken);
        progress?.Report($"{settings}: {settings.TrainingSteps} timed training step(s)");
        var (training, trainingCpu) = Time(settings.TrainingSteps, () => rig.TrainStep(), cancellationToken);

        rig.Model.eval();
        var evaluation = new TimingSummary([]);
        var evaluationCpu = evaluation;
        if (settings.EvalSteps > 0)
        {
            progress?.Report($"{settings}: {settings.EvalSteps} timed eval forward(s)");
            Repeat(Math.Max(1, settings.WarmupSteps / 2), rig.EvalForward, cancellationToken);
            (evaluation, evaluationCpu) = Time(settings.EvalSteps, rig.EvalForward, cancellationToken);
        }

        var trainable = rig.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        return new TrainingBenchmarkResult(settings, rig.Threads, training, evaluation, ProcessMemory.PeakResidentBytes(), ProcessMemory.ThreadCount(), trainable)
        {
            TrainingStepCpu = trainingCpu,
            EvalForwardCpu = evaluationCpu,
        };
    }

    internal static void Repeat(int count, Action action, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            action();
        }
    }

    // Wall-clock and process CPU time (all threads) of each run. On a shared machine the wall clock also counts time
    // spent waiting for a core; CPU time does not, so the two together tell load from work.
    internal static (TimingSummary Wall, TimingSummary Cpu) Time(int count, Action action, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var wall = new double[count];
        var cpu = new double[count];
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            action();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        }

        return (new TimingSummary(wall), new TimingSummary(cpu));
    }
}
