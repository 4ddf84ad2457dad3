using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

/// <summary>
/// A tiny learnable task: 3×8×8 noise images whose label is the quadrant holding a bright 4×4 patch.
/// Batch order depends only on (seed, epoch), as the trainer's resume guarantee requires.
/// </summary>
public sealed class ToyData : ITrainingBatches, IDisposable
{
    private readonly Tensor images;
    private readonly Tensor labels;
    private readonly int trainCount;
    private readonly int batchSize;
    private readonly long seed;

    public ToyData(int count = 48, int trainCount = 32, int batchSize = 8, long seed = 5)
    {
        using var generator = new Generator((ulong)seed);
        labels = randint(0, 4, [count], generator: generator, dtype: ScalarType.Int64).DetachFromDisposeScope();
        var data = rand([count, 3, 8, 8], generator: generator) * 0.3f;
        for (var i = 0; i < count; i++)
        {
            var q = labels[i].item<long>();
            var top = (int)(q / 2) * 4;
            var left = (int)(q % 2) * 4;
            data[i, .., top..(top + 4), left..(left + 4)] += 0.7f;
        }

        images = data.DetachFromDisposeScope();
        this.trainCount = trainCount;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public int? TrainBatchCount => trainCount / batchSize;

    public int? ValidationBatchCount => (int)Math.Ceiling((images.shape[0] - trainCount) / (double)batchSize);

    public IEnumerable<LabeledBatch> TrainBatches(int epoch)
    {
        using var generator = new Generator((ulong)(seed * 1000 + epoch));
        var order = randperm(trainCount, generator: generator).data<long>().ToArray();
        for (var start = 0; start + batchSize <= trainCount; start += batchSize)
        {
            using var index = tensor(order[start..(start + batchSize)]);
            yield return new LabeledBatch(images.index_select(0, index), labels.index_select(0, index));
        }
    }

    public IEnumerable<LabeledBatch> ValidationBatches()
    {
        for (long start = trainCount; start < images.shape[0]; start += batchSize)
        {
            var end = Math.Min(start + batchSize, images.shape[0]);
            yield return new LabeledBatch(images.narrow(0, start, end - start).clone(), labels.narrow(0, start, end - start).clone());
        }
    }

    public void Dispose()
    {
        images.Dispose();
        labels.Dispose();
    }
}
