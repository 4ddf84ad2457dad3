using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using Microsoft.Extensions.Logging;

namespace Scouter.Core.Data.Loading;

/// <summary>What <see cref="DatasetFactory"/> returns: both splits, their class names, and the official transforms for them.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Val">The validation split.</param>
/// <param name="TrainTransform">Resize, optional augmentation, normalisation.</param>
/// <param name="ValTransform">Resize and normalisation.</param>
public sealed record LoadedDatasets(ImageDataset Train, ImageDataset Val, ImageTransform TrainTransform, ImageTransform ValTransform)
{
    /// <summary>Class names by label.</summary>
    public IReadOnlyList<string> ClassNames => Train.ClassNames;

    /// <summary>A loader as the official training loop uses it: shuffled, last incomplete batch dropped.</summary>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">Seed of shuffle and augmentation.</param>
    /// <param name="workers">Decoding threads.</param>
    /// <param name="logger">Receives warnings about unreadable images.</param>
    public BatchLoader TrainLoader(int batchSize, int seed = 0, int workers = 2, ILogger? logger = null) =>
        new(Train, TrainTransform, BatchLoaderOptions.ForTraining(batchSize, seed, workers), logger);

    /// <summary>A loader as the official evaluation uses it: in order, every image.</summary>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="workers">Decoding threads.</param>
    /// <param name="logger">Receives warnings about unreadable images.</param>
    public BatchLoader ValLoader(int batchSize, int workers = 2, ILogger? logger = null) =>
        new(Val, ValTransform, BatchLoaderOptions.ForEvaluation(batchSize, workers), logger);
}
