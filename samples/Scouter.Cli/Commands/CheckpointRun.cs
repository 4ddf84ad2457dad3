using System.Globalization;
using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// A trained model loaded back for <c>explain</c>, <c>cam</c> and <c>evaluate</c>: from <c>--checkpoint</c> (ours or an
/// official PyTorch one) or the run's own checkpoint in <c>--output_dir</c>, with the data set it was trained on.
/// The architecture comes from the checkpoint's <c>args</c> when it has them: the weights decide.
/// </summary>
internal sealed class CheckpointRun : IDisposable
{
    private static readonly string[] ArchitectureFlags = ["model", "num_classes", "channel", "hidden_dim", "slots_per_class", "to_k_layer", "loss_status", "use_slot", "lambda_value", "power"];

    private readonly Backbone backbone;

    private CheckpointRun(RunSettings settings, LoadedDatasets data, ScouterModel model, Backbone backbone, string path)
    {
        Settings = settings;
        Data = data;
        Model = model;
        this.backbone = backbone;
        Path = path;
    }

    public RunSettings Settings { get; }

    public LoadedDatasets Data { get; }

    public ScouterModel Model { get; }

    public string Path { get; }

    /// <summary>Loads the checkpoint named by <c>--checkpoint</c>, else the run's default one for <paramref name="useSlot"/>.</summary>
    public static CheckpointRun Load(ParsedArguments args, CommandContext context, bool? useSlot = null)
    {
        var path = args.Text("checkpoint") ?? DefaultPath(args, useSlot ?? args.Boolean("use_slot"));
        if (!File.Exists(path))
        {
            throw new CliException($"Checkpoint {path} not found. Train first (scouter train with the same --dataset, --use_slot, --loss_status and --output_dir), or pass --checkpoint PATH.");
        }

        using var checkpoint = OfficialCheckpoint.Read(path);
        var merged = MergeArchitecture(args, checkpoint.Args, context.Logger);
        if (useSlot is { } forced)
        {
            merged = merged.With(new Dictionary<string, string> { ["use_slot"] = forced ? "true" : "false" });
        }

        // Weights come from the checkpoint: no ImageNet lookup, no use_pre.
        var settings = RunSettings.From(merged) with { PreTrained = false, UsePre = false, FreezeLayers = 0 };
        var data = DatasetFactory.Create(settings.Data);
        var (model, backbone) = ModelBuilder.Build(settings, data.Train.Channels, data.Train.NumClasses, context.Logger);
        try
        {
            checkpoint.LoadInto(model);
            model.eval();
            context.Logger.LogInformation("Loaded {Path}{Epoch}", path, checkpoint.Epoch is { } epoch ? $" (epoch {epoch + 1})" : string.Empty);
            return new CheckpointRun(settings, data, model, backbone, path);
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

    private static ParsedArguments MergeArchitecture(ParsedArguments args, OfficialArgs saved, ILogger logger)
    {
        var replacements = new Dictionary<string, string>();
        foreach (var flag in ArchitectureFlags)
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

        return args.With(replacements);
    }
}
