using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// A trained model loaded back for <c>explain</c>, <c>cam</c>, <c>evaluate</c> and the export verbs: from
/// <c>--checkpoint</c> (ours or an official PyTorch one) or the run's own checkpoint in <c>--output_dir</c>, with the
/// data set it was trained on. The checkpoint decides every setting the user did not give (<see cref="CheckpointFlags"/>).
/// </summary>
internal sealed class CheckpointRun : IDisposable
{
    private readonly TrainedModel trained;

    private CheckpointRun(ParsedArguments arguments, RunSettings settings, LoadedDatasets? data, IReadOnlyList<string> classNames, TrainedModel trained, string path)
    {
        Arguments = arguments;
        Settings = settings;
        Data = data;
        ClassNames = classNames;
        this.trained = trained;
        Path = path;
    }

    /// <summary>The flags as this run uses them: the command line, completed from the checkpoint.</summary>
    public ParsedArguments Arguments { get; }

    public RunSettings Settings { get; }

    /// <summary>The data set, or null when only <c>--image</c> or <c>--image_dir</c> is explained and the data set is not on this machine.</summary>
    public LoadedDatasets? Data { get; }

    /// <summary>The validation transform (resize and normalisation) the model expects.</summary>
    public ImageTransform Transform => trained.Preprocessor.Transform;

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The data set, which this verb needs.</summary>
    public LoadedDatasets RequireData() =>
        Data ?? throw new CliException($"This needs the {Settings.Data.Name} data set (--dataset_dir).");

    public ScouterModel Model => trained.Model;

    public string Path { get; }

    /// <summary>Loads <paramref name="path"/>, else the checkpoint named by <c>--checkpoint</c>, else the run's default one for <paramref name="useSlot"/>.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="context">Console and logs.</param>
    /// <param name="useSlot">The head this verb needs (xSlot true, FC false), or null for whatever the checkpoint holds.</param>
    /// <param name="batchSize">Images per forward pass, for the memory estimate.</param>
    /// <param name="path">The checkpoint to load, when the verb chose it.</param>
    /// <param name="forwardOnly">
    /// The verb only runs the model forward without gradients (<c>explain</c>), so its convolution layout follows
    /// <see cref="PerformanceDefaults.InferenceConvolutionLayout"/> instead of the training rule.
    /// </param>
    public static CheckpointRun Load(ParsedArguments args, CommandContext context, bool? useSlot = null, int batchSize = 1, string? path = null, bool forwardOnly = false)
    {
        path ??= args.Text("checkpoint") ?? DefaultPath(args, useSlot ?? args.Boolean("use_slot"));
        if (Directory.Exists(path))
        {
            throw new CliException($"Checkpoint {path} is a folder; a checkpoint file (.pth or .safetensors) is expected.");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"Checkpoint {path} not found. Train first (scouter train with the same --dataset, --use_slot, --loss_status and --output_dir), or pass --checkpoint PATH.");
        }

        using var checkpoint = OfficialCheckpoint.Read(path);
        RequireHead(path, checkpoint, useSlot, args.Verb);
        var saved = CheckpointSettings.Read(checkpoint);
        var effective = CheckpointFlags.Resolve(args, saved, checkpoint.Args, path, CheckpointScope.All, context.Logger);

        // A checkpoint's args are input like any other: out-of-range sizes must not reach LibTorch.
        FlagRanges.CheckAll(effective, $"{path} (the flags it was trained with)");

        // Weights come from the checkpoint: no ImageNet lookup, no use_pre.
        var settings = RunSettings.From(effective) with { PreTrained = false, UsePre = false, FreezeLayers = 0 };
        if (forwardOnly)
        {
            settings = settings with { ConvolutionLayout = PerformanceSettings.InferenceConvolutionLayout(effective) };
        }

        MemoryBudget.CheckInference(settings, batchSize);
        LoadedDatasets? data = null;
        try
        {
            data = DatasetFactory.Create(settings.Data);
        }
        catch (Exception e) when ((args.Text("image") ?? args.Text("image_dir")) is not null && e is DatasetLayoutException or ArgumentException)
        {
            // Explaining given images needs the architecture (from the checkpoint), not the training data.
            context.Logger.LogWarning("Data set not available ({Message}); class names are unknown, classes are numbered", e.Message);
        }

        TrainedModel trained;
        try
        {
            trained = TrainedModel.Create(checkpoint, CheckpointFlags.Settings(effective, saved), model => CreateBackbone(model, settings));
        }
        catch (NotSupportedException e)
        {
            throw new CliException(e.Message);
        }

        try
        {
            var numClasses = trained.Settings.NumClasses;
            if (data is not null && data.Train.NumClasses != numClasses)
            {
                throw new CliException($"{path} classifies {numClasses} classes, but {data.Train.Name} has {data.Train.NumClasses}: give the data set it was trained on (--dataset, --dataset_dir).");
            }

            context.Logger.LogInformation("Convolution layout: {Choice}", settings.ConvolutionLayout.Reason);
            if (settings.ConvolutionLayout.Enabled)
            {
                ChannelsLast.ConvertConvolutions(trained.Model);
            }

            var classNames = data?.ClassNames ?? Enumerable.Range(0, numClasses).Select(i => $"class {i}").ToList();
            context.Logger.LogInformation("Loaded {Path}{Epoch}: {Model} + {Head}, {Channels}-channel {Size} px input", path,
                checkpoint.Epoch is { } epoch ? $" (epoch {epoch + 1})" : string.Empty, trained.Settings.Model, trained.Settings.UseSlot ? "xSlot" : "FC",
                trained.Settings.InputChannels, trained.Settings.ImageSize);
            return new CheckpointRun(effective, settings, data, classNames, trained, path);
        }
        catch
        {
            trained.Dispose();
            throw;
        }
    }

    public static string DefaultPath(ParsedArguments args, bool useSlot) =>
        System.IO.Path.Combine(args.Text("output_dir") ?? string.Empty,
            CheckpointNames.Latest(args.Text("dataset")!, useSlot, (ScouterPolarity)args.Integer("loss_status")));

    public void Dispose() => trained.Dispose();

    /// <summary>The backbone the resolved settings name: an imported ONNX graph (<c>--model onnx:PATH</c>) or a registered one, at their output stride.</summary>
    private static Backbone CreateBackbone(CheckpointSettings model, RunSettings run) =>
        OnnxBackboneSettings.IsOnnx(model.Model)
            ? OnnxBackboneSettings.Create(run, model.InputChannels)
            : BackboneRegistry.Default.Create(model.Model, new BackboneOptions { InputChannels = model.InputChannels, OutputStride = model.OutputStride });

    /// <summary>A verb that needs one kind of head says so, instead of failing on the other kind's parameter names.</summary>
    private static void RequireHead(string path, OfficialCheckpoint checkpoint, bool? useSlot, string verb)
    {
        if (useSlot is not { } needed)
        {
            return;
        }

        var hasSlots = checkpoint.Model.Keys.Any(k => k.StartsWith("slot.", StringComparison.Ordinal));
        if (hasSlots && !needed)
        {
            throw new CliException($"{path} is a SCOUTER (xSlot) checkpoint, but 'scouter {verb}' draws the CAM-family maps of the FC baseline (trained with --use_slot false): pass that checkpoint with --checkpoint, or explain this one with 'scouter explain'.");
        }

        if (!hasSlots && needed)
        {
            throw new CliException($"{path} is an FC baseline checkpoint (no xSlot head), but 'scouter {verb}' needs a SCOUTER checkpoint (trained with --use_slot true) here{(verb == "evaluate" ? "; the FC baseline for --baselines is read from --output_dir" : string.Empty)}.");
        }
    }
}
