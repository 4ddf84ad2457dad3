using BenchmarkDotNet.Attributes;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Benchmarks;

/// <summary>
/// What <see cref="ScouterLoss"/>'s input checks cost: the loss as shipped (labels in range and scores finite are
/// checked, two values read back) against the same arithmetic without the checks, for the MNIST recipe's head output
/// (batch 8, n = 10, K = 10 slots, 9×9 map) and a large one (batch 32, n = 1000, s = 5).
/// </summary>
[Config(typeof(ShortRunConfig))]
public class ScouterLossBenchmarks
{
    private HeadOutput? output;
    private Tensor? labels;
    private ScouterLoss? loss;

    [Params("b8_n10_K10", "b32_n1000_K5000")]
    public string Shape { get; set; } = "b8_n10_K10";

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Configure();
        manual_seed(0);
        var (batch, classes, slots) = Shape == "b8_n10_K10" ? (8, 10, 10) : (32, 1000, 5000);
        output = new HeadOutput(randn(batch, classes), rand(batch, slots, 81), null);
        labels = randint(0, classes, [batch]);
        loss = ScouterLoss.Create(1.0, 2.0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        output?.Dispose();
        labels?.Dispose();
        loss?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float Unchecked()
    {
        using var scope = NewDisposeScope();
        var nll = nn.functional.nll_loss(nn.functional.log_softmax(output!.Scores, 1), labels!);
        var area = nn.functional.relu(output.SlotAttention!).mean().pow(2.0);
        return (nll + area).item<float>();
    }

    [Benchmark]
    public float Checked()
    {
        using var scope = NewDisposeScope();
        return loss!.call(output!, labels!).Total.item<float>();
    }
}
