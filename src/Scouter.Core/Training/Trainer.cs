// The official SCOUTER training loop (train.py / engine.py; docs/official-implementation.md §5): AdamW on the trainable
// parameters, StepLR per epoch, drop_last training batches, per-epoch means of loss, accuracy, NLL and
// area for train and validation, a checkpoint per epoch. Written for TorchSharp; the code is our own.
using Scouter.Core.Compat;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Core.Interop;
using Scouter.Core.IO;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Trains a <see cref="ScouterModel"/> (xSlot or FC head) with the <see cref="ScouterLoss"/>, as the official
/// <c>train.py</c> does, with progress reports, logging and checkpoints.
/// </summary>
/// <remarks>
/// Every step runs under its own dispose scope, so native memory stays flat however long the run. On the CPU,
/// two runs with the same seed, data and options give the same numbers, and a run resumed from a checkpoint
/// continues the trajectory of an uninterrupted one.
/// </remarks>
public sealed partial class Trainer : IDisposable
{
    private readonly ScouterModel model;
    private readonly ScouterLoss loss;
    private readonly TrainingOptions options;
    private readonly ICheckpointStore? store;
    private readonly ILogger logger;
    private readonly AdamW optimizer;
    private readonly OfficialArgs args;
    private readonly CheckpointTarget checkpointTarget;
    private readonly OfficialParameterOrder parameterOrder;
    private readonly TrainingSchedule schedule;
    private readonly DataParallel? parallel;

    private int nextEpoch;
    private double bestValidationAccuracy = double.NegativeInfinity;

    /// <summary>Creates a trainer and moves the model to the configured device.</summary>
    /// <param name="model">The model to train; its trainable parameters are those with <c>requires_grad</c>.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="options">Loop settings; validated.</param>
    /// <param name="store">Where checkpoints go; null writes none (and <see cref="TrainingOptions.Resume"/> then finds none).</param>
    /// <param name="checkpointTarget">Names the run's checkpoint files (data set, head kind, polarity).</param>
    /// <param name="args">The run's arguments (official flag names) saved in each checkpoint; null describes the head and the loop settings.</param>
    /// <param name="logger">Log sink; null logs nothing.</param>
    /// <param name="replicaFactory">
    /// Builds a new model of the same architecture; needed only when the options name several devices
    /// (<see cref="TrainingOptions.WorldSize"/>, <see cref="TrainingOptions.Devices"/>), for the <see cref="DataParallel"/> replicas.
    /// </param>
    /// <exception cref="ArgumentException">Several devices are configured but <paramref name="replicaFactory"/> is null, or it builds another architecture.</exception>
    public Trainer(
        ScouterModel model,
        ScouterLoss loss,
        TrainingOptions options,
        ICheckpointStore? store = null,
        CheckpointTarget? checkpointTarget = null,
        OfficialArgs? args = null,
        ILogger<Trainer>? logger = null,
        Func<ScouterModel>? replicaFactory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        this.options = TrainingOptionsValidator.ThrowIfInvalid(options);
        this.model = model;
        this.loss = loss;
        this.store = store;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.checkpointTarget = checkpointTarget ?? new CheckpointTarget(options.DatasetName, model.Head is XSlotClassifier, (model.Head as XSlotClassifier)?.Polarity ?? ScouterPolarity.Positive);
        this.args = args ?? DescribeRun(model, loss, options);
        schedule = new TrainingSchedule(options.LearningRate, options.WeightDecay, options.LrDrop, options.LrGamma);

        Devices = ComputeDevice.ResolveAll(options.Devices, options.WorldSize, options.Device);
        Device = Devices[0];
        WarnIfConvolutionIsWrong();
        model.to(Device);
        if (Devices.Count > 1)
        {
            if (replicaFactory is null)
            {
                throw new ArgumentException($"Data-parallel training over {Devices.Count} devices needs a replica factory that builds the same architecture (TorchSharp cannot copy a module).", nameof(replicaFactory));
            }

            if (string.IsNullOrWhiteSpace(options.Devices) && Devices.All(d => d.type == DeviceType.CPU))
            {
                LogCpuReplicas(this.logger, Devices.Count);
            }

            parallel = DataParallel.Create(model, loss, Devices, replicaFactory);
            LogDataParallel(this.logger, Devices.Count, string.Join(", ", Devices.Select(d => d.ToString())));
        }

        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        if (trainable.Count == 0)
        {
            throw new ArgumentException("The model has no trainable parameters (every parameter has requires_grad = false); check the freeze settings.", nameof(model));
        }

        optimizer = new ScalarSafeAdamW(trainable, lr: options.LearningRate, weight_decay: options.WeightDecay);
        parameterOrder = OfficialParameterOrder.For(model);
    }

    /// <summary>Raised after each epoch, once its checkpoints are written.</summary>
    public event EventHandler<EpochMetrics>? EpochCompleted;

    /// <summary>The device the model trains on (with several devices, the first: where the optimizer steps).</summary>
    public Device Device { get; }

    /// <summary>Every device of the run: one for ordinary training, several for <see cref="DataParallel"/> training.</summary>
    public IReadOnlyList<Device> Devices { get; }

    /// <summary>The optimizer (AdamW over the trainable parameters).</summary>
    public AdamW Optimizer => optimizer;

    /// <summary>Zero-based index of the next epoch to run (greater than 0 after a resume).</summary>
    public int NextEpoch => nextEpoch;

    /// <summary>The learning rate StepLR gives epoch <paramref name="epoch"/>: <c>lr · γ^⌊epoch / lr_drop⌋</c>.</summary>
    /// <param name="epoch">Zero-based epoch index.</param>
    public double LearningRateAt(int epoch) => schedule.At(epoch);

    /// <summary>
    /// Runs the remaining epochs (from <see cref="NextEpoch"/> to <see cref="TrainingOptions.Epochs"/>). With
    /// <see cref="TrainingOptions.Resume"/> set and a checkpoint of this run present, continues from it first.
    /// </summary>
    /// <param name="data">Training and validation batches.</param>
    /// <param name="progress">Per-batch progress; optional.</param>
    /// <param name="cancellationToken">Stops after the current batch; the last finished epoch's checkpoint stays intact.</param>
    /// <returns>The metrics of the epochs run by this call.</returns>
    /// <exception cref="UnwritablePathException">The output folder cannot hold checkpoints (checked before the first epoch).</exception>
    public IReadOnlyList<EpochMetrics> Fit(ITrainingBatches data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        PrepareOutputDirectory();
        if (options.Resume)
        {
            TryResume();
        }

        var history = new List<EpochMetrics>();
        using var tensorBoard = string.IsNullOrEmpty(options.TensorBoardDir) ? null : new TensorBoardLog(options.TensorBoardDir, options.TensorBoardImages);
        for (var epoch = nextEpoch; epoch < options.Epochs; epoch++)
        {
            var stopwatch = Stopwatch.StartNew();
            var learningRate = LearningRateAt(epoch);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            var train = RunPhase(data.TrainBatches(epoch), TrainingPhase.Train, epoch, data.TrainBatchCount, progress, cancellationToken);
            var validationBatches = tensorBoard is null ? data.ValidationBatches() : tensorBoard.KeepPreview(data.ValidationBatches());
            var validation = RunPhase(validationBatches, TrainingPhase.Validation, epoch, data.ValidationBatchCount, progress, cancellationToken);
            nextEpoch = epoch + 1;

            var metrics = new EpochMetrics(epoch, learningRate, train, validation, stopwatch.Elapsed);
            LogEpoch(logger, epoch + 1, options.Epochs, learningRate, train.Loss, train.Accuracy, validation.Loss, validation.Accuracy, train.Nll, train.Area, stopwatch.Elapsed.TotalSeconds);
            WriteCheckpoints(epoch, validation.Accuracy);
            tensorBoard?.Write(metrics, model);
            history.Add(metrics);
            EpochCompleted?.Invoke(this, metrics);
        }

        return history;
    }

    /// <summary>Evaluates the model on <paramref name="batches"/> in eval mode, without gradients.</summary>
    /// <param name="batches">The batches; each is disposed after use.</param>
    /// <param name="cancellationToken">Stops after the current batch.</param>
    public PhaseMetrics Evaluate(IEnumerable<LabeledBatch> batches, CancellationToken cancellationToken = default) =>
        RunPhase(batches, TrainingPhase.Validation, nextEpoch, null, null, cancellationToken);

    /// <summary>Copies the run's state (model with official names, optimizer, schedule, epoch) into a checkpoint.</summary>
    /// <param name="epoch">Zero-based index of the last finished epoch; −1 for a run that has not started (resuming from it starts at epoch 0).</param>
    public TrainingCheckpoint CaptureCheckpoint(int epoch)
    {
        var state = OfficialCheckpoint.ExportStateDict(model);
        return new TrainingCheckpoint(state, AdamWSnapshot.Capture(optimizer, parameterOrder), parameterOrder.OfficialNames.Count, epoch, schedule, bestValidationAccuracy, args);
    }

    /// <summary>
    /// Restores model, optimizer and epoch from <paramref name="checkpoint"/> (ours or one the official code wrote);
    /// training continues at its epoch + 1 with this trainer's schedule.
    /// </summary>
    /// <param name="checkpoint">A checkpoint of the same model and trainable parameters.</param>
    /// <exception cref="StateDictMismatchException">The checkpoint's model differs; the message lists every difference.</exception>
    public void RestoreCheckpoint(TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        OfficialCheckpoint.LoadInto(model, checkpoint.Model);
        checkpoint.Optimizer.RestoreInto(optimizer, parameterOrder);
        nextEpoch = checkpoint.Epoch + 1;
        bestValidationAccuracy = checkpoint.BestValidationAccuracy;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        parallel?.Dispose();
        optimizer.Dispose();
    }

    private static OfficialArgs DescribeRun(ScouterModel model, ScouterLoss loss, TrainingOptions options)
    {
        var head = model.Head is XSlotClassifier xslot
            ? xslot.Options
            : new ClassifierHeadOptions { UseSlot = false, Channels = model.Head.Channels, NumClasses = model.Head.NumClasses };
        return OfficialArgs.FromOptions(head, loss.Options, new Dictionary<string, object?>
        {
            ["dataset"] = options.DatasetName,
            ["lr"] = options.LearningRate,
            ["lr_drop"] = (long)options.LrDrop,
            ["batch_size"] = (long)options.BatchSize,
            ["epochs"] = (long)options.Epochs,
            ["output_dir"] = options.OutputDir ?? string.Empty,
        });
    }

    /// <summary>
    /// Before the first epoch: the checkpoint folder must accept files (a run that could not save its first epoch
    /// fails now, having lost nothing), and temporary files of writers killed mid-save, from earlier runs, go.
    /// </summary>
    private void PrepareOutputDirectory()
    {
        if (store is null || string.IsNullOrEmpty(options.OutputDir))
        {
            return;
        }

        var started = DateTime.UtcNow;
        OutputPaths.RequireWritableDirectory(options.OutputDir);
        var removed = AtomicFile.RemoveOrphans(options.OutputDir, started);
        if (removed > 0)
        {
            LogOrphansRemoved(logger, removed, options.OutputDir);
        }
    }

    private void TryResume()
    {
        var path = CheckpointPath(checkpointTarget.Latest);
        if (store is null || path is null || !File.Exists(path))
        {
            LogNoResume(logger, path ?? "(no output directory)");
            return;
        }

        using var checkpoint = store.Load(path);
        RestoreCheckpoint(checkpoint);
        LogResumed(logger, path, nextEpoch + 1); // 1-based, as the progress display counts epochs
    }

    private PhaseMetrics RunPhase(IEnumerable<LabeledBatch> batches, TrainingPhase phase, int epoch, int? steps, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var training = phase == TrainingPhase.Train;
        model.train(training);
        double lossSum = 0, accuracySum = 0, nllSum = 0, areaSum = 0;
        var count = 0;
        long samples = 0;

        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (batch)
            using (var scope = NewDisposeScope())
            using (training ? null : no_grad())
            {
                if (training)
                {
                    // Gradients set to none, not zeroed: backward then hands its fresh gradient buffers over instead
                    // of adding them onto zeros, which saves a pass over all parameters. Same values as the official
                    // zero_grad() (0 + g is exact), since every trainable parameter receives a gradient each step.
                    model.zero_grad();
                }

                var step = parallel is null ? RunBatch(batch, training) : parallel.Run(batch.Images, batch.Labels, training);
                if (training)
                {
                    optimizer.step();
                }

                lossSum += step.Loss;
                nllSum += step.Nll;
                areaSum += step.Area;
                accuracySum += step.Accuracy;
                count++;
                samples += step.Samples;
            }

            progress?.Report(new TrainingProgress(epoch, options.Epochs, phase, count, steps, lossSum / count, accuracySum / count));
        }

        if (count == 0)
        {
            throw new InvalidOperationException($"The {(training ? "training" : "validation")} data produced no batch in epoch {epoch}; with drop_last, the training split needs at least one full batch of {options.BatchSize} images.");
        }

        return new PhaseMetrics(lossSum / count, accuracySum / count, nllSum / count, areaSum / count, count, samples);
    }

    // Forward (and backward) of one batch on the single device; the caller steps the optimizer.
    private StepMetrics RunBatch(LabeledBatch batch, bool training)
    {
        var images = batch.Images.to(Device);
        var labels = batch.Labels.to(Device);
        var output = model.ForwardDetailed(images);
        var result = loss.call(output, labels);
        if (training)
        {
            result.Total.backward();
        }

        // One device-to-host copy per step for all four numbers.
        var correct = output.Scores.argmax(1).eq(labels).to(ScalarType.Float32).mean();
        var values = stack([result.Total.detach(), result.Nll.detach(), result.Area.detach(), correct]).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new StepMetrics(values[0], values[1], values[2], values[3], labels.shape[0]);
    }

    private void WriteCheckpoints(int epoch, double validationAccuracy)
    {
        var isBest = validationAccuracy > bestValidationAccuracy;
        if (isBest)
        {
            bestValidationAccuracy = validationAccuracy;
        }

        if (store is null || string.IsNullOrEmpty(options.OutputDir))
        {
            return;
        }

        Directory.CreateDirectory(options.OutputDir);
        var paths = new List<string> { CheckpointPath(checkpointTarget.Latest)! };
        if (CheckpointNames.IsNumbered(epoch, options.LrDrop, options.NumberedCheckpointEvery))
        {
            paths.Add(CheckpointPath(checkpointTarget.Numbered(epoch))!);
        }

        if (isBest)
        {
            paths.Add(CheckpointPath(checkpointTarget.Best)!);
        }

        using var checkpoint = CaptureCheckpoint(epoch);
        foreach (var path in paths)
        {
            store.Save(path, checkpoint);
            LogCheckpoint(logger, path);
        }
    }

    // Training on a CPU whose LibTorch convolution is broken silently learns from wrong gradients; say so up front.
    private void WarnIfConvolutionIsWrong()
    {
        if (Devices.Any(d => d.type == DeviceType.CPU) && logger.IsEnabled(LogLevel.Warning) && !ConvolutionSelfCheck.Cpu.IsCorrect)
        {
            LogWrongConvolution(logger, ConvolutionSelfCheck.Cpu.Failures);
        }
    }

    private string? CheckpointPath(string fileName) =>
        string.IsNullOrEmpty(options.OutputDir) ? null : Path.Combine(options.OutputDir, fileName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs} lr {LearningRate:G3}: train loss {TrainLoss:F4} acc {TrainAccuracy:P2}, val loss {ValLoss:F4} acc {ValAccuracy:P2} (nll {Nll:F4}, area {Area:F4}) in {Seconds:F1} s")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double learningRate, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double nll, double area, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} temporary file(s) left in {Directory} by writers that were killed mid-save")]
    private static partial void LogOrphansRemoved(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data-parallel training over {Count} replicas: {Devices}")]
    private static partial void LogDataParallel(ILogger logger, int count, string devices);

    [LoggerMessage(Level = LogLevel.Information, Message = "No CUDA device here: world size {Count} runs {Count} CPU replicas in this process (exercises the synchronisation; no speed-up)")]
    private static partial void LogCpuReplicas(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LibTorch computes some CPU convolutions wrongly on this machine ({Failures}). Convolutions whose channel counts are not a multiple of 16 (8 on AVX2-only CPUs) may give wrong outputs or input gradients; the environment variable ONEDNN_MAX_CPU_ISA=SSE41, set before the process starts, selects slower kernels that are correct (Scouter.Core docs: testing.md, \"Known LibTorch issues\")")]
    private static partial void LogWrongConvolution(ILogger logger, string failures);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint written: {Path}")]
    private static partial void LogCheckpoint(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed from {Path}; continuing at epoch {Epoch}")]
    private static partial void LogResumed(ILogger logger, string path, int epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resume requested but no checkpoint found at {Path}; starting from epoch 1")]
    private static partial void LogNoResume(ILogger logger, string path);
}
