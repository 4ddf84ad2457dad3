namespace Scouter.Core.Training;

/// <summary>
/// The data a <see cref="Trainer"/> consumes. Each batch is handed over to the trainer, which disposes it
/// after the step, so implementations may stream, prefetch or generate batches.
/// </summary>
public interface ITrainingBatches
{
    /// <summary>
    /// Training batches of one epoch: shuffled and without an incomplete last batch (the official loader's
    /// <c>drop_last</c>). For reproducible runs and exact resumption the order must depend only on the seed and
    /// <paramref name="epoch"/>.
    /// </summary>
    /// <param name="epoch">Zero-based epoch index.</param>
    IEnumerable<LabeledBatch> TrainBatches(int epoch);

    /// <summary>Validation batches, in order, the last one possibly smaller.</summary>
    IEnumerable<LabeledBatch> ValidationBatches();

    /// <summary>Training batches per epoch, when known (for progress and ETA).</summary>
    int? TrainBatchCount { get; }

    /// <summary>Validation batches, when known.</summary>
    int? ValidationBatchCount { get; }
}
