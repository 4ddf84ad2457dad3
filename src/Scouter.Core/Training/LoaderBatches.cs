using Scouter.Core.Data.Loading;

namespace Scouter.Core.Training;

/// <summary>
/// Feeds a <see cref="Trainer"/> from two <see cref="BatchLoader"/>s: the training loader (shuffled by seed and
/// epoch, <c>drop_last</c>) and the validation loader (in order).
/// </summary>
/// <param name="train">Training loader, e.g. <c>LoadedDatasets.TrainLoader</c>.</param>
/// <param name="validation">Validation loader, e.g. <c>LoadedDatasets.ValLoader</c>.</param>
public sealed class LoaderBatches(BatchLoader train, BatchLoader validation) : ITrainingBatches
{
    /// <inheritdoc />
    public int? TrainBatchCount => train.BatchesPerEpoch;

    /// <inheritdoc />
    public int? ValidationBatchCount => validation.BatchesPerEpoch;

    /// <inheritdoc />
    public IEnumerable<LabeledBatch> TrainBatches(int epoch) => Convert(train.Epoch(epoch));

    /// <inheritdoc />
    public IEnumerable<LabeledBatch> ValidationBatches() => Convert(validation.Epoch(0));

    // The trainer disposes each batch itself, so each is taken out of the loader's safety-net disposal.
    private static IEnumerable<LabeledBatch> Convert(IEnumerable<ImageBatch> batches) =>
        batches.Select(batch => new LabeledBatch(batch.Keep().Images, batch.Labels));
}
