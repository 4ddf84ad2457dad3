using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Cli.Commands;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Cli.Tests;

/// <summary>
/// Bulk explanation with the ONNX Runtime forward pass keeps the live-tensor count flat. The count is process-wide, so
/// the test runs alone.
/// </summary>
[Collection(nameof(ProcessWideSettings))]
public sealed class OnnxRuntimeForwardMemoryTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-ort-memory-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void LiveTensors_StayFlatAcrossBatches_AndNoneIsLeftAfterTheRun()
    {
        manual_seed(5);
        using var model = ScouterModel.Create(
            nn.Sequential(("conv", nn.Conv2d(3, 8, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(8)), ("relu", nn.ReLU())),
            XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 1 }));
        var val = SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 16, NumClasses = 3, TrainCount = 1, ValCount = 24, Seed = 3 }).Val;
        var transform = val.EvaluationTransform(16);
        using var forward = OnnxRuntimeForward.Create(model, transform, "tiny", 1, NullLogger.Instance);
        var counts = new List<long>();
        var before = LiveTensorCount();

        var summary = new BulkExplainer(model, forward.Forward, new BulkExplanationOptions { BatchSize = 4, Workers = 0, FlushToDisk = false })
            .Run(val, transform, Path.Combine(output, "flat.jsonl"), new Inline(_ => counts.Add(Tensor.TotalCount)));

        summary.Written.Should().Be(24);
        counts.Should().HaveCount(6);
        counts.Distinct().Should().HaveCount(1, "each batch's tensors, the ONNX Runtime outputs copied into TorchSharp too, are freed by its dispose scope");
        LiveTensorCount().Should().Be(before);
    }

    // Once finalizers have run, so tensors other tests left to the GC are not counted as this test's.
    private static long LiveTensorCount()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return Tensor.TotalCount;
    }

    private sealed class Inline(Action<BulkExplanationProgress> report) : IProgress<BulkExplanationProgress>
    {
        public void Report(BulkExplanationProgress value) => report(value);
    }
}
