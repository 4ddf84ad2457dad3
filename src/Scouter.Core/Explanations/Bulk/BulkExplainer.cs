// Explaining a whole data set: batches stream through the model in eval and inference mode, with its batch norms folded
// into its convolutions, each batch in its own dispose scope, and each image becomes one JSON line appended whole. Only
// the ids already written are kept in memory, so memory stays flat however many images go through, and a rerun
// continues where an interrupted one stopped.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Inference;
using Scouter.Core.Internal;
using Scouter.Core.IO;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Bulk;

/// <summary>
/// Streams every image of a data set (a split, or a folder through <see cref="ImageDirectory"/>) through a SCOUTER
/// model and writes one <see cref="ExplanationRecord"/> per image to a JSON Lines file: the prediction, the class
/// probabilities and the 8-bit maps of the explained classes; optionally the official overlays as PNG files.
/// </summary>
/// <remarks>
/// <para>Resuming: with <see cref="BulkExplanationOptions.Resume"/> (the default) an existing file is continued. The
/// whole file is read first: unless every complete line is an explanation record, nothing is written and the file
/// keeps every byte. An incomplete last line (a crash mid-write) is then cut off, the ids of the complete lines are collected, and only the other
/// images are explained. Each batch's lines are appended in one write and flushed, so a run that is cancelled, fails
/// or is killed between batches leaves whole lines only, and a rerun completes the file with every image exactly once.</para>
/// <para>Cancellation is checked between batches: the batch in progress is finished and written, then
/// <see cref="OperationCanceledException"/> is thrown.</para>
/// <para>Images that cannot be read are logged and left out (see <see cref="BatchLoader"/>); they have no line, so a
/// rerun tries them again.</para>
/// <para>The forward pass is the model's own (<see cref="ScouterModel.ForwardDetailed"/>, batch norms folded), or one
/// supplied to the second constructor, for instance another runtime running the exported model; the records are built
/// from its scores and class maps either way.</para>
/// </remarks>
/// <example>
/// <code>
/// var data = SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 64 });
/// var explainer = new BulkExplainer(model, new BulkExplanationOptions { TopK = 3 }, logger);
/// var summary = explainer.Run(data.Val, data.Val.EvaluationTransform(64), "val.jsonl", progress, token);
/// foreach (var record in ExplanationRecord.ReadAll("val.jsonl")) { … record.Maps[0].Pixels() … }
/// </code>
/// </example>
public sealed class BulkExplainer
{
    private readonly ScouterModel model;
    private readonly XSlotClassifier head;
    private readonly Func<Tensor, HeadOutput>? suppliedForward;
    private readonly BulkExplanationOptions options;
    private readonly ILogger logger;

    /// <summary>Creates an explainer for a SCOUTER model.</summary>
    /// <param name="model">A model with an xSlot head (its attention is the explanation).</param>
    /// <param name="options">Batching and output settings; copied. Null for the defaults.</param>
    /// <param name="logger">Receives the start, resume and end messages and warnings about unreadable images.</param>
    /// <exception cref="ArgumentException">The model has an FC head, which has no explanation of its own.</exception>
    public BulkExplainer(ScouterModel model, BulkExplanationOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        head = model.Head as XSlotClassifier
            ?? throw new ArgumentException($"Bulk explanation reads the xSlot head's attention; this model has a {model.Head.GetType().Name}. Explain an FC model with a saliency method (Explanations.Cam) instead.", nameof(model));
        this.model = model;
        this.options = (options ?? new BulkExplanationOptions()).Validated();
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Creates an explainer whose forward pass is computed by <paramref name="forward"/> instead of the model's own
    /// <see cref="ScouterModel.ForwardDetailed"/>: for instance another runtime running the same model exported. The
    /// records are built from its scores and class maps exactly as from the model's.
    /// </summary>
    /// <param name="model">The model <paramref name="forward"/> computes; its xSlot head gives the class count and the polarity, its parameters the device the images are sent to.</param>
    /// <param name="forward">
    /// A batch of transformed images <c>[B, C, H, W]</c> (float32, on the model's device) to a <see cref="HeadOutput"/>
    /// with <see cref="HeadOutput.Scores"/> <c>[B, n]</c> and <see cref="HeadOutput.ClassMaps"/> <c>[B, n, h, w]</c>
    /// (<see cref="HeadOutput.SlotAttention"/> is not read and may be null). Called on the calling thread inside
    /// the batch's dispose scope and inference mode, so the tensors it returns are freed with the batch.
    /// <see cref="BulkExplanationOptions.FoldBatchNorm"/> does not apply: the model's own forward pass never runs.
    /// </param>
    /// <param name="options">Batching and output settings; copied. Null for the defaults.</param>
    /// <param name="logger">Receives the start, resume and end messages and warnings about unreadable images.</param>
    /// <exception cref="ArgumentException">The model has an FC head, which has no explanation of its own.</exception>
    /// <exception cref="InvalidOperationException">During <see cref="Run"/>: <paramref name="forward"/> returned scores or class maps of other shapes than the batch and the model's classes ask for.</exception>
    public BulkExplainer(ScouterModel model, Func<Tensor, HeadOutput> forward, BulkExplanationOptions? options = null, ILogger? logger = null)
        : this(model, options, logger)
    {
        suppliedForward = forward ?? throw new ArgumentNullException(nameof(forward));
    }

    /// <summary>The settings in force.</summary>
    public BulkExplanationOptions Options => options.Validated();

    /// <summary>Explains every image of <paramref name="dataset"/> not yet in <paramref name="outputPath"/> and appends their lines.</summary>
    /// <param name="dataset">The images; their <see cref="ImageDataset.ImageId"/> keys the lines.</param>
    /// <param name="transform">The model's evaluation transform (resize and normalisation, no augmentation).</param>
    /// <param name="outputPath">The JSON Lines file, created with its folder if needed.</param>
    /// <param name="progress">Told after every batch written, on the calling thread.</param>
    /// <param name="cancellationToken">Stops after the batch in progress is written.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentException">The transform augments, or does not match the data set's channels, or the data set's class count differs from the model's.</exception>
    /// <exception cref="InvalidDataException">The existing file holds a line that is not an explanation record; it is left untouched (with <see cref="BulkExplanationOptions.Resume"/> false too).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; every line written is complete.</exception>
    public BulkExplanationSummary Run(ImageDataset dataset, ImageTransform transform, string outputPath, IProgress<BulkExplanationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (transform.Augment)
        {
            throw new ArgumentException("Explanations need the evaluation transform (no augmentation): build it with dataset.EvaluationTransform(imageSize).", nameof(transform));
        }

        if (dataset.HasLabels && dataset.NumClasses != head.NumClasses)
        {
            throw new ArgumentException($"{dataset.Name} has {dataset.NumClasses} classes but the model has {head.NumClasses}.", nameof(dataset));
        }

        var clock = Stopwatch.StartNew();
        using var file = JsonLinesWriter.Open(outputPath, options.Resume, options.FlushToDisk, ExplanationRecord.Problem);
        if (file.TruncatedBytes > 0)
        {
            logger.LogWarning("{Path}: cut off an incomplete last line ({Bytes} bytes) left by an interrupted run", file.Path, file.TruncatedBytes);
        }

        var done = Enumerable.Range(0, dataset.Count).Select(dataset.ImageId).ToHashSet(StringComparer.Ordinal);
        var resumed = 0;
        foreach (var id in file.ExistingValues("id"))
        {
            // Ids of other images (another split, a changed folder) stay in the file but do not count as done here.
            if (done.Remove(id))
            {
                resumed++;
            }
        }

        // 'done' now holds the ids still to do; the set of finished ids is never built.
        var pending = Enumerable.Range(0, dataset.Count).Where(i => done.Contains(dataset.ImageId(i))).ToArray();
        done.Clear();
        done.TrimExcess();
        logger.LogInformation("Explaining {Pending} of {Total} images of {Dataset} {Split} into {Path}{Resumed}",
            pending.Length, dataset.Count, dataset.Name, dataset.Split, file.Path, resumed > 0 ? $" ({resumed} already there)" : string.Empty);

        var subset = new DatasetSubset(dataset, pending);
        var written = 0;
        var overlays = 0;
        var loader = new BatchLoader(subset, transform, new BatchLoaderOptions { BatchSize = options.BatchSize, Workers = options.Workers, Prefetch = options.Prefetch, FailOnCorruptImage = false }, logger);
        var classNames = dataset.ClassNames.Count == head.NumClasses ? dataset.ClassNames : null;
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;

        using (new EvalModeScope(model))
        {
            // Batch norms fold once the first batch shows what the model is fed, and are restored at the end.
            FoldedBatchNorms? folding = null;
            try
            {
                if (pending.Length > 0)
                {
                    foreach (var batch in loader.Epoch(0, cancellationToken))
                    {
                        using (batch)
                        using (NewDisposeScope())
                        {
                            var inputs = batch.Images.to(device);
                            folding ??= FoldBatchNorms(inputs);
                            using (inference_mode())
                            {
                                var explained = Explain(batch, inputs, subset, transform, classNames);
                                overlays += explained.Overlays;
                                written += file.WriteBlock(explained.Records, ExplanationRecord.JsonOptions);
                            }
                        }

                        var seconds = clock.Elapsed.TotalSeconds;
                        progress?.Report(new BulkExplanationProgress(resumed + written, dataset.Count, resumed, loader.SkippedImages, clock.Elapsed, seconds > 0 ? written / seconds : 0));
                    }
                }
            }
            finally
            {
                folding?.Dispose();
            }
        }

        var summary = new BulkExplanationSummary(file.Path, dataset.Count, resumed, written, loader.SkippedImages, file.TruncatedBytes, overlays, clock.Elapsed);
        logger.LogInformation("{Path}: {Written} images explained in {Seconds:F1} s ({Rate:F1} images/s); {Done} of {Total} done",
            summary.OutputPath, written, summary.Elapsed.TotalSeconds, summary.ImagesPerSecond, resumed + written, dataset.Count);
        return summary;
    }

    // The model's own batch norms folded into its convolutions for the run, on the first batch (BatchNormFolding).
    private FoldedBatchNorms FoldBatchNorms(Tensor inputs)
    {
        if (!options.FoldBatchNorm || suppliedForward is not null)
        {
            return FoldedBatchNorms.Empty;
        }

        var folding = BatchNormFolding.Fold(model.Backbone, inputs);
        if (folding.Rejection is { } rejection)
        {
            logger.LogWarning("Batch norms not folded: {Reason}", rejection);
        }
        else
        {
            logger.LogInformation("{Count} batch norms folded into their convolutions for the run ({Left} left as they are; largest output difference {Difference:G2})", folding.Count, folding.Unfolded.Count, folding.MaxDifference);
        }

        return folding;
    }

    private (IReadOnlyList<ExplanationRecord> Records, int Overlays) Explain(ImageBatch batch, Tensor inputs, DatasetSubset subset, ImageTransform transform, IReadOnlyList<string>? classNames)
    {
        var output = suppliedForward is null ? model.ForwardDetailed(inputs) : Checked(suppliedForward(inputs), inputs);
        var maps = output.ClassMaps!;
        var n = (int)maps.shape[1];
        var k = Math.Min(options.TopK, n);
        var probabilities = nn.functional.softmax(output.Scores.to(ScalarType.Float32), 1);
        var predictions = probabilities.argmax(1);
        var chosen = ClassSelection.ForPolarity(output.Scores, k, head.Polarity); // [B, k]
        var uint8 = ExplanationMaps.ToOfficialUInt8(maps); // jointly normalised over all classes, as the official maps
        var selected = uint8.gather(1, chosen.view(chosen.shape[0], k, 1, 1).expand(-1, -1, uint8.shape[2], uint8.shape[3])); // [B, k, h, w]
        var areas = ExplanationMaps.AreaSize(selected);
        var encoded = options.MapSize is int size ? PilBilinear.Resize(selected, size, size) : selected;

        var overlays = options.OverlayDirectory is { } directory ? WriteOverlays(batch, subset, transform, selected, output.Scores, chosen, directory) : 0;

        using var cpuProbabilities = probabilities.cpu();
        using var cpuChosen = chosen.cpu();
        using var cpuAreas = areas.cpu();
        using var cpuPredictions = predictions.cpu();
        using var cpuMaps = encoded.contiguous().cpu();
        var p = cpuProbabilities.data<float>().ToArray();
        var c = cpuChosen.data<long>().ToArray();
        var a = cpuAreas.data<float>().ToArray();
        var predicted = cpuPredictions.data<long>().ToArray();
        var bytes = cpuMaps.bytes.ToArray();
        int height = (int)encoded.shape[2], width = (int)encoded.shape[3], plane = height * width;
        var polarity = head.Polarity == ScouterPolarity.Negative ? "negative" : "positive";

        var records = new ExplanationRecord[batch.Count];
        for (var b = 0; b < batch.Count; b++)
        {
            var index = batch.Indices[b];
            var row = new ArraySegment<float>(p, b * n, n);
            var prediction = (int)predicted[b];
            int? label = subset.HasLabels ? subset.GetLabel(index) : null;
            var explainedMaps = new ExplainedMap[k];
            for (var j = 0; j < k; j++)
            {
                var cls = (int)c[b * k + j];
                explainedMaps[j] = new ExplainedMap(cls, classNames?[cls], row[cls], a[b * k + j], Convert.ToBase64String(bytes, (b * k + j) * plane, plane));
            }

            records[b] = new ExplanationRecord(subset.ImageId(index), subset.Indices[index], subset.Describe(index),
                label, label is int l ? classNames?[l] : null, prediction, classNames?[prediction], row.ToArray(), polarity, [height, width], explainedMaps);
        }

        return (records, overlays);
    }

    // A supplied forward pass is another implementation of the model: its shapes are checked before they are indexed.
    private HeadOutput Checked(HeadOutput output, Tensor images)
    {
        var n = head.NumClasses;
        var batch = images.shape[0];
        if (output.Scores.dim() != 2 || output.Scores.shape[0] != batch || output.Scores.shape[1] != n)
        {
            throw new InvalidOperationException($"The supplied forward pass returned scores {TensorChecks.Describe(output.Scores)} for {batch} images; expected [{batch}, {n}].");
        }

        if (output.ClassMaps is not { } maps || maps.dim() != 4 || maps.shape[0] != batch || maps.shape[1] != n)
        {
            throw new InvalidOperationException($"The supplied forward pass returned class maps {(output.ClassMaps is null ? "null" : TensorChecks.Describe(output.ClassMaps))} for {batch} images; expected [{batch}, {n}, h, w].");
        }

        return output;
    }

    private int WriteOverlays(ImageBatch batch, DatasetSubset subset, ImageTransform transform, Tensor selected, Tensor scores, Tensor chosen, string directory)
    {
        var pictures = ImageTensors.ToUInt8(batch.Images, transform.Normalization.Mean, transform.Normalization.Std);
        var renderer = new ExplanationRenderer(new RenderOptions { Normalization = MapNormalization.None, Polarity = head.Polarity });
        using var rendered = renderer.Render(pictures, selected.cpu(), scores.cpu(), chosen.cpu());
        var question = head.Polarity == ScouterPolarity.Negative ? "whynot" : "why";
        using var classes = rendered.Classes.cpu();
        var shown = classes.data<long>().ToArray();
        var count = 0;
        for (var b = 0; b < rendered.Count; b++)
        {
            var id = subset.ImageId(batch.Indices[b]);
            for (var j = 0; j < rendered.MapsPerImage; j++)
            {
                // Ids are relative paths or split/index, so the overlays mirror the images' layout.
                AtomicFile.Write(Path.Combine(directory, $"{id}_{question}_class{shown[b * rendered.MapsPerImage + j]}.png"), rendered.OverlayPng(b, j));
                count++;
            }
        }

        return count;
    }
}
