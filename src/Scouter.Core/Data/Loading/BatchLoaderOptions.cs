namespace Scouter.Core.Data.Loading;

/// <summary>How a <see cref="BatchLoader"/> forms and prefetches batches.</summary>
public sealed class BatchLoaderOptions
{
    /// <summary>Images per batch (the official <c>batch_size</c>, default 64).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Visit the images in a new seeded random order each epoch (training) instead of in index order.</summary>
    public bool Shuffle { get; set; }

    /// <summary>Drop the last, incomplete batch of an epoch (the official training loader does).</summary>
    public bool DropLast { get; set; }

    /// <summary>
    /// Threads decoding and transforming images (default 2). 0 builds each batch on the consuming thread when it
    /// is asked for, with no prefetch. The output does not depend on this number.
    /// </summary>
    public int Workers { get; set; } = 2;

    /// <summary>Finished batches that may wait ahead of the consumer (default 3; at least 1 when <see cref="Workers"/> &gt; 0).</summary>
    public int Prefetch { get; set; } = 3;

    /// <summary>Seed of the shuffle and of every sample's augmentation draws.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Throw when an image cannot be read (default false: the image is left out of its batch, a warning naming the
    /// file is logged once, and <see cref="BatchLoader.SkippedImages"/> counts it).
    /// </summary>
    public bool FailOnCorruptImage { get; set; }

    /// <summary>The official training loader's settings: shuffled, incomplete last batch dropped.</summary>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">Seed of shuffle and augmentation.</param>
    /// <param name="workers">Decoding threads.</param>
    public static BatchLoaderOptions ForTraining(int batchSize, int seed = 0, int workers = 2) =>
        new() { BatchSize = batchSize, Shuffle = true, DropLast = true, Seed = seed, Workers = workers };

    /// <summary>The official validation loader's settings: index order, every image.</summary>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="workers">Decoding threads.</param>
    public static BatchLoaderOptions ForEvaluation(int batchSize, int workers = 2) =>
        new() { BatchSize = batchSize, Shuffle = false, DropLast = false, Workers = workers };

    /// <summary>Checks every value and returns a copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public BatchLoaderOptions Validated()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch_size must be at least 1.");
        }

        if (Workers < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be 0 (build batches on the consuming thread) or more.");
        }

        if (Prefetch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be at least 1 batch.");
        }

        return (BatchLoaderOptions)MemberwiseClone();
    }
}
