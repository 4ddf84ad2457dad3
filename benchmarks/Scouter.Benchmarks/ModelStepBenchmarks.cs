using BenchmarkDotNet.Attributes;
using Scouter.Harness;

namespace Scouter.Benchmarks;

/// <summary>
/// Training step (forward, SCOUTER loss, backward, AdamW) and eval forward of whole models on random batches, for the
/// FC baseline and for SCOUTER, at the presets measured side by side with the official code
/// (<see cref="TrainingBenchmarkOptions.PresetNames"/>).
/// </summary>
[Config(typeof(ShortRunConfig))]
public class ModelStepBenchmarks
{
    private TrainingWorkload? workload;

    [Params("mnist260", "r18_64", "resnest260")]
    public string Preset { get; set; } = "mnist260";

    [Params("fc", "xslot")]
    public string Head { get; set; } = "xslot";

    [GlobalSetup(Target = nameof(TrainingStep))]
    public void SetupTraining()
    {
        workload = Create();
        workload.Model.train();
    }

    [GlobalSetup(Target = nameof(EvalForward))]
    public void SetupEval()
    {
        workload = Create();
        workload.Model.eval();
    }

    [GlobalCleanup]
    public void Cleanup() => workload?.Dispose();

    [Benchmark]
    public float TrainingStep() => workload!.TrainStep();

    [Benchmark]
    public void EvalForward() => workload!.EvalForward();

    private TrainingWorkload Create()
    {
        var options = TrainingBenchmarkOptions.Preset(Preset);
        options.UseSlot = Head == "xslot";
        options.Threads = BenchmarkThreads.Requested;
        return new TrainingWorkload(options);
    }
}
