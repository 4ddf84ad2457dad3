using BenchmarkDotNet.Attributes;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Benchmarks;

/// <summary>
/// The xSlot head alone on a 64-channel 9×9 feature map (batch 8, d = 64): its training step (forward, SCOUTER loss,
/// backward, AdamW over the head's parameters) and its eval forward, for n = 10 / 200 / 1000 classes and
/// s = 1…5 slots per class. Shows how the head scales with the slot count K = n·s.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class XSlotHeadBenchmarks
{
    private const int Batch = 8;
    private const int Channels = 64;
    private const int MapSize = 9;

    private XSlotClassifier? head;
    private ScouterLoss? loss;
    private AdamW? optimizer;
    private Tensor? features;
    private Tensor? labels;

    [Params(10, 200, 1000)]
    public int Classes { get; set; } = 10;

    [Params(1, 2, 3, 4, 5)]
    public int SlotsPerClass { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Configure();
        manual_seed(0);
        head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = Channels, NumClasses = Classes, SlotsPerClass = SlotsPerClass });
        loss = ScouterLoss.Create(new ScouterLossOptions());
        optimizer = optim.AdamW(head.parameters(), lr: 1e-4, weight_decay: 0.01);
        features = randn(Batch, Channels, MapSize, MapSize);
        labels = randint(0, Classes, [Batch]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        optimizer?.Dispose();
        features?.Dispose();
        labels?.Dispose();
        loss?.Dispose();
        head?.Dispose();
    }

    [Benchmark]
    public float HeadTrainingStep()
    {
        head!.train();
        using var scope = NewDisposeScope();
        optimizer!.zero_grad();
        using var output = head.ForwardDetailed(features!);
        var result = loss!.call(output, labels!);
        result.Total.backward();
        optimizer.step();
        return result.Total.item<float>();
    }

    [Benchmark]
    public void HeadEvalForward()
    {
        head!.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = head.ForwardDetailed(features!);
    }
}
