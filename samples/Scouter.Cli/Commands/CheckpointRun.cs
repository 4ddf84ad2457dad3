using System.Globalization;
using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// A trained model loaded back for <c>explain</c>, <c>cam</c> and <c>evaluate</c>: from <c>--checkpoint</c> (ours or an
/// official PyTorch one) or the run's own checkpoint in <c>--output_dir</c>, with the data set it was trained on.
/// The architecture comes from the checkpoint's <c>args</c> when it has them: the weights decide. That includes the
/// backbone's output stride, which an official checkpoint (whose flags have none) fixes at 32.
/// </summary>
internal sealed class CheckpointRun : IDisposable
{
    // Not "channel": the backbone decides it, and a run that left it at its default recorded 512 whatever the backbone.
    private static readonly string[] ArchitectureFlags = ["model", "num_classes", "use_slot", "onnx_output", "onnx_input"];

    // Only an xSlot checkpoint's head flags describe its weights; an FC checkpoint records them at whatever they were.
    private static readonly string[] SlotHeadFlags = ["hidden_dim", "slots_per_class", "to_k_layer", "loss_status", "lambda_value", "power"];

    private readonly Backbone backbone;

    private CheckpointRun(RunSettings settings, LoadedDatasets? data, ImageTransform transform, IReadOnlyList<string> classNames, ScouterModel model, Backbone backbone, string path)
    {
        Settings = settings;
        Data = data;
        Transform = transform;
        ClassNames = classNames;
        Model = model;
        this.backbone = backbone;
        Path = path;
    }

    public RunSettings Settings { get; }

    /// <summary>The data set, or null when only <c>--image</c> or <c>--image_dir</c> is explained and the data set is not on this machine.</summary>
    public LoadedDatasets? Data { get; }

    /// <summary>The validation transform (resize and normalisation) the model expects.</summary>
    public ImageTransform Transform { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The data set, which this verb needs.</summary>
    public LoadedDatasets RequireData() =>
        Data ?? throw new CliException($"This needs the {Settings.Data.Name} data set (--dataset_dir).");

    public ScouterModel Model { get; }

    public string Path { get; }

    /// <summary>Loads the checkpoint named by <c>--checkpoint</c>, else the run's default one for <paramref name="useSlot"/>.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="context">Console and logs.</param>
    /// <param name="useSlot">The head this verb needs (xSlot true, FC false), or null for whatever the checkpoint holds.</param>
    /// <param name="batchSize">Images per forward pass, for the memory estimate.</param>
    public static CheckpointRun Load(ParsedArguments args, CommandContext context, bool? useSlot = null, int batchSize = 1)
    {
        var path = args.Text("checkpoint") ?? DefaultPath(args, useSlot ?? args.Boolean("use_slot"));
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
        var merged = MergeArchitecture(args, checkpoint.Args, context.Logger);
        if (useSlot is { } forced)
        {
            merged = merged.With(new Dictionary<string, string> { ["use_slot"] = forced ? "true" : "false" });
        }

        // A checkpoint's args are input like any other: out-of-range sizes must not reach LibTorch.
        FlagRanges.CheckAll(merged, $"{path} (the flags it was trained with)");

        // Weights come from the checkpoint: no ImageNet lookup, no use_pre.
        var settings = RunSettings.From(merged) with { PreTrained = false, UsePre = false, FreezeLayers = 0 };
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

        var channels = data?.Train.Channels ?? (string.Equals(settings.Data.Name, "MNIST", StringComparison.OrdinalIgnoreCase) ? 1 : 3);
        var numClasses = data?.Train.NumClasses ?? settings.Head.NumClasses;
        var transform = data?.ValTransform ?? ImageTransform.Create(settings.Data.ImageSize, channels == 1 ? Normalization.Mnist : Normalization.ImageNet);
        var classNames = data?.ClassNames ?? Enumerable.Range(0, numClasses).Select(i => $"class {i}").ToList();
        var (model, backbone) = ModelBuilder.Build(settings, channels, numClasses, context.Logger);
        try
        {
            checkpoint.LoadInto(model);
            model.eval();
            context.Logger.LogInformation("Loaded {Path}{Epoch}", path, checkpoint.Epoch is { } epoch ? $" (epoch {epoch + 1})" : string.Empty);
            return new CheckpointRun(settings, data, transform, classNames, model, backbone, path);
        }
        catch
        {
            model.Dispose();
            backbone.Dispose();
            throw;
        }
    }

    public static string DefaultPath(ParsedArguments args, bool useSlot) =>
        System.IO.Path.Combine(args.Text("output_dir") ?? string.Empty,
            CheckpointNames.Latest(args.Text("dataset")!, useSlot, (ScouterPolarity)args.Integer("loss_status")));

    public void Dispose()
    {
        Model.Dispose();
        backbone.Dispose();
    }

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

    private static ParsedArguments MergeArchitecture(ParsedArguments args, OfficialArgs saved, ILogger logger)
    {
        var replacements = new Dictionary<string, string>();
        var slotHead = !saved.TryGetValue("use_slot", out var useSlot) || useSlot is not false;
        foreach (var flag in slotHead ? ArchitectureFlags.Concat(SlotHeadFlags) : ArchitectureFlags)
        {
            if (!saved.TryGetValue(flag, out var value) || value is null)
            {
                continue;
            }

            var text = value switch
            {
                bool b => b ? "true" : "false",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            };
            if (args.IsExplicit(flag) && args.Text(flag) != text)
            {
                logger.LogWarning("--{Flag} {Given} ignored: the checkpoint was trained with {Saved}", flag, args.Text(flag), text);
            }

            replacements[flag] = text;
        }

        if (saved.Count > 0)
        {
            var stride = saved.OutputStride.ToString(CultureInfo.InvariantCulture);
            if (args.IsExplicit(OfficialArgs.OutputStrideFlag) && args.Text(OfficialArgs.OutputStrideFlag) != stride)
            {
                logger.LogWarning("--output_stride {Given} ignored: the checkpoint was trained at output stride {Saved}", args.Text(OfficialArgs.OutputStrideFlag), stride);
            }

            replacements[OfficialArgs.OutputStrideFlag] = stride;
        }

        // Explicit, so that no profile default (the synthetic set's slots per class) overrides what the weights were trained with.
        return args.With(replacements, asExplicit: true);
    }
}
