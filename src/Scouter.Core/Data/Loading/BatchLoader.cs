// Batches built in parallel with prefetch. TorchSharp's own DataLoader runs its "workers" one batch at a time with
// no prefetch, and its random transforms draw once per batch from partly unseeded generators; this loader decodes
// and transforms on worker threads ahead of the consumer, and draws every random decision from the sample's own
// SeededRandom(seed, epoch, index), so the output is the same for any number of workers.
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Loading;

/// <summary>
/// Turns an <see cref="ImageDataset"/> and an <see cref="ImageTransform"/> into a stream of <see cref="ImageBatch"/>es,
/// one epoch at a time: shuffled or in order, with or without the incomplete last batch, built by
/// <see cref="BatchLoaderOptions.Workers"/> threads up to <see cref="BatchLoaderOptions.Prefetch"/> batches ahead.
/// </summary>
/// <remarks>
/// <para>Determinism: the order of epoch <c>e</c> is a Fisher–Yates shuffle by <c>SeededRandom.For(seed, e, −1)</c>;
/// image <c>i</c>'s augmentation draws from <c>SeededRandom.For(seed, e, i)</c>. Batches therefore hold exactly the
/// same tensors whatever the worker count, and equal those of a serial loader (<c>Workers = 0</c>).</para>
/// <para>Unreadable images (corrupt, truncated, missing) are left out of their batch with one warning per file,
/// counted in <see cref="SkippedImages"/>, and not read again in later epochs; with
/// <see cref="BatchLoaderOptions.FailOnCorruptImage"/> the error is thrown to the consumer instead. Any other error
/// of a worker is rethrown to the consumer at the batch where it happened. Leaving the <c>foreach</c> early
/// (break, exception, cancellation) stops the workers and frees every batch not handed out.</para>
/// <para>See <see cref="ImageBatch"/> for who disposes a batch's tensors.</para>
/// </remarks>
/// <example>
/// <code>
/// var loader = new BatchLoader(data.Train, data.Train.TrainingTransform(260, augment: true), BatchLoaderOptions.ForTraining(8, seed: 1));
/// for (var epoch = 0; epoch &lt; epochs; epoch++)
///     foreach (var batch in loader.Epoch(epoch, token))
///     {
///         using (batch)
///         using (var step = torch.NewDisposeScope())
///         {
///             var output = model.ForwardDetailed(batch.Images);   // …loss, backward, optimizer step
///         }
///     }
/// </code>
/// </example>
public sealed class BatchLoader
{
    private readonly ImageDataset dataset;
    private readonly ImageTransform transform;
    private readonly BatchLoaderOptions options;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<int, string> skipped = new();

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images.</param>
    /// <param name="transform">Applied to each image; its channel count must match the data set's.</param>
    /// <param name="options">Batching settings; copied.</param>
    /// <param name="logger">Receives the warnings about skipped images (none when null).</param>
    public BatchLoader(ImageDataset dataset, ImageTransform transform, BatchLoaderOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(options);
        if (transform.Normalization.Mean.Count != dataset.Channels)
        {
            throw new ArgumentException($"{dataset.Name} images have {dataset.Channels} channel(s) but the transform normalises {transform.Normalization.Mean.Count}; build it with dataset.TrainingTransform/EvaluationTransform(imageSize).", nameof(transform));
        }

        this.dataset = dataset;
        this.transform = transform;
        this.options = options.Validated();
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The images batched.</summary>
    public ImageDataset Dataset => dataset;

    /// <summary>The transform applied to each image.</summary>
    public ImageTransform Transform => transform;

    /// <summary>Batches per epoch (before any image is skipped).</summary>
    public int BatchesPerEpoch => options.DropLast ? dataset.Count / options.BatchSize : (dataset.Count + options.BatchSize - 1) / options.BatchSize;

    /// <summary>Distinct images that could not be read so far.</summary>
    public int SkippedImages => skipped.Count;

    /// <summary>The images that could not be read so far, and why.</summary>
    public IReadOnlyDictionary<int, string> SkippedReasons => skipped;

    /// <summary>The data-set indices of each batch of epoch <paramref name="epoch"/>, in order.</summary>
    /// <param name="epoch">Epoch number (any integer; seeds the shuffle).</param>
    public IReadOnlyList<int[]> Plan(int epoch)
    {
        var order = Enumerable.Range(0, dataset.Count).ToArray();
        if (options.Shuffle)
        {
            SeededRandom.For(options.Seed, epoch, -1).Shuffle(order);
        }

        return order.Chunk(options.BatchSize).Where(b => !options.DropLast || b.Length == options.BatchSize).ToList();
    }

    /// <summary>Enumerates the batches of one epoch.</summary>
    /// <param name="epoch">Epoch number: seeds the shuffle and the augmentation.</param>
    /// <param name="cancellationToken">Stops the epoch; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    public IEnumerable<ImageBatch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        var plan = Plan(epoch);
        return options.Workers == 0 ? Serial(plan, epoch, cancellationToken) : Prefetched(plan, epoch, cancellationToken);
    }

    private IEnumerable<ImageBatch> Serial(IReadOnlyList<int[]> plan, int epoch, CancellationToken cancellationToken)
    {
        ImageBatch? previous = null;
        try
        {
            foreach (var indices in plan)
            {
                cancellationToken.ThrowIfCancellationRequested();
                previous?.ReleaseFromLoader();
                previous = Build(indices, epoch, parallel: false, cancellationToken);
                if (previous is not null)
                {
                    yield return previous;
                }
            }
        }
        finally
        {
            previous?.ReleaseFromLoader();
        }
    }

    private IEnumerable<ImageBatch> Prefetched(IReadOnlyList<int[]> plan, int epoch, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<(ImageBatch? Batch, ExceptionDispatchInfo? Error)>(options.Prefetch);
        var producer = Task.Factory.StartNew(() => Produce(plan, epoch, queue, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ImageBatch? previous = null;
        try
        {
            foreach (var (batch, error) in queue.GetConsumingEnumerable(cancellationToken))
            {
                previous?.ReleaseFromLoader();
                previous = null;
                error?.Throw();
                previous = batch!;
                yield return batch!;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            previous?.ReleaseFromLoader();
            stop.Cancel();
            producer.ContinueWith(_ => { }, TaskScheduler.Default).Wait(); // the producer reports its own errors through the queue
            while (queue.TryTake(out var left))
            {
                left.Batch?.Dispose();
            }
        }
    }

    private void Produce(IReadOnlyList<int[]> plan, int epoch, BlockingCollection<(ImageBatch?, ExceptionDispatchInfo?)> queue, CancellationToken token)
    {
        try
        {
            foreach (var indices in plan)
            {
                var batch = Build(indices, epoch, parallel: true, token);
                if (batch is null)
                {
                    continue;
                }

                try
                {
                    queue.Add((batch, null), token);
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer stopped: nothing to report.
        }
        catch (Exception e)
        {
            var error = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
            queue.TryAdd((null, ExceptionDispatchInfo.Capture(error)), Timeout.Infinite, token);
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    private ImageBatch? Build(int[] indices, int epoch, bool parallel, CancellationToken token)
    {
        var samples = new Sample?[indices.Length];
        try
        {
            if (parallel && options.Workers > 1)
            {
                Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = token }, k => samples[k] = Load(indices[k], epoch));
            }
            else
            {
                for (var k = 0; k < indices.Length; k++)
                {
                    token.ThrowIfCancellationRequested();
                    samples[k] = Load(indices[k], epoch);
                }
            }

            var present = samples.Where(s => s is not null).Select(s => s!).ToArray();
            if (present.Length == 0)
            {
                return null;
            }

            using var scope = NewDisposeScope();
            var images = stack(present.Select(s => s.Image)).DetachFromDisposeScope();
            var labelValues = present.Select(s => dataset.GetLabel(s.Index)).ToArray();
            var labels = tensor(labelValues.Select(l => (long)l).ToArray()).DetachFromDisposeScope();
            var boxes = present.Select((s, b) => (IReadOnlyList<BoundingBox>)s.Objects.Where(o => o.Class == labelValues[b]).Select(o => o.Box).ToArray()).ToArray();
            return new ImageBatch(images, labels, present.Select(s => s.Index).ToArray(), boxes, present.Select(s => s.Objects).ToArray(),
                ObjectMasks(present)?.DetachFromDisposeScope(), present.Select(s => s.OriginalSize).ToArray(), indices.Length - present.Length);
        }
        finally
        {
            foreach (var sample in samples)
            {
                sample?.Image.Dispose();
                sample?.Masks?.Dispose();
            }
        }
    }

    // Every image's object masks padded with empty planes to the batch's most objects, or null.
    private static Tensor? ObjectMasks(Sample[] samples)
    {
        var most = samples.Max(s => s.Objects.Count);
        if (most == 0 || samples.Any(s => s.Masks is null))
        {
            return null;
        }

        return stack(samples.Select(s => s.Objects.Count == most
            ? s.Masks!
            : cat([s.Masks!, zeros([most - s.Objects.Count, s.Masks!.shape[1], s.Masks!.shape[2]], ScalarType.Bool)])));
    }

    private Sample? Load(int index, int epoch)
    {
        if (skipped.ContainsKey(index))
        {
            return null;
        }

        using var scope = NewDisposeScope();
        AnnotatedImage annotated;
        try
        {
            annotated = dataset.ReadAnnotated(index);
        }
        catch (Exception e) when (!options.FailOnCorruptImage && e is IOException or UnauthorizedAccessException)
        {
            if (skipped.TryAdd(index, e.Message))
            {
                logger.LogWarning("Skipping unreadable image {Source} ({Error}); {Count} image(s) of {Dataset} {Split} skipped so far.", dataset.Describe(index), e.Message, skipped.Count, dataset.Name, dataset.Split);
            }

            return null;
        }

        using (annotated)
        {
            var raw = annotated.Image;
            if (raw.dim() != 3 || raw.shape[0] != dataset.Channels)
            {
                throw new InvalidDataException($"{dataset.Describe(index)} was read as [{string.Join(", ", raw.shape)}]; {dataset.Name} images have {dataset.Channels} channel(s) [C, H, W].");
            }

            var size = ((int)raw.shape[2], (int)raw.shape[1]);
            var random = transform.Augment ? SeededRandom.For(options.Seed, epoch, index) : null;
            var image = transform.Apply(raw, random).DetachFromDisposeScope();
            // Boxes and masks follow the resize only: they are used for evaluation, which is never augmented.
            var objects = annotated.Objects.Select(o => o with { Box = o.Box.Scale(size.Item1, size.Item2, transform.ImageSize, transform.ImageSize) }).ToArray();
            var masks = annotated.Masks is { } m ? transform.MapMasks(m).DetachFromDisposeScope() : null;
            return new Sample(index, image, objects, masks, size);
        }
    }

    private sealed record Sample(int Index, Tensor Image, IReadOnlyList<AnnotatedObject> Objects, Tensor? Masks, (int Width, int Height) OriginalSize);
}
