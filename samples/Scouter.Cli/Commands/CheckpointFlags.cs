using System.Globalization;
using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Interop;

namespace Scouter.Cli.Commands;

/// <summary>
/// The step every verb that reads a checkpoint takes before anything else: the flags the user did not give come from
/// the checkpoint (<see cref="CheckpointSettings"/>: its <c>args</c>, official defaults where missing, the weights'
/// shapes where they tell); a given flag that differs is used with a warning, or stops the run where the result would
/// be meaningless. docs/cli.md lists the table.
/// </summary>
internal static class CheckpointFlags
{
    /// <summary>Every setting a checkpoint supplies, one row each. A flag this build does not know is skipped.</summary>
    public static IReadOnlyList<CheckpointFlag> All { get; } =
    [
        new("model", CheckpointScope.Backbone, Disagreement.Error),
        new("channel", CheckpointScope.Backbone, Disagreement.Error),
        new(OfficialArgs.OutputStrideFlag, CheckpointScope.Backbone, Disagreement.Warn),
        new("onnx_output", CheckpointScope.Backbone, Disagreement.Error),
        new("onnx_input", CheckpointScope.Backbone, Disagreement.Error),
        new("dataset", CheckpointScope.Input, Disagreement.Warn),
        new("img_size", CheckpointScope.Input, Disagreement.Warn),
        new("use_slot", CheckpointScope.Head, Disagreement.Error),
        new("num_classes", CheckpointScope.Head, Disagreement.Error),
        new("hidden_dim", CheckpointScope.SlotHead, Disagreement.Error),
        new("slots_per_class", CheckpointScope.SlotHead, Disagreement.Error),
        new("to_k_layer", CheckpointScope.SlotHead, Disagreement.Error),
        new("loss_status", CheckpointScope.SlotHead, Disagreement.Error),
        new("lambda_value", CheckpointScope.SlotHead, Disagreement.Accept),
        new("power", CheckpointScope.SlotHead, Disagreement.Accept),
        new("dataset_dir", CheckpointScope.Data, Disagreement.Accept, LocalPath: true),
        new("seed", CheckpointScope.Data, Disagreement.Accept),
        new("synthetic_train", CheckpointScope.Data, Disagreement.Accept),
        new("synthetic_val", CheckpointScope.Data, Disagreement.Accept),
    ];

    /// <summary>
    /// The flags a verb runs with: <paramref name="args"/> with every flag of <paramref name="scopes"/> the user did not
    /// give taken from the checkpoint (counted as given, so no data-set profile overrides it).
    /// </summary>
    /// <param name="args">The parsed command line.</param>
    /// <param name="checkpoint">The checkpoint; its settings and recorded flags are read.</param>
    /// <param name="scopes">The parts of the model the checkpoint supplies.</param>
    /// <param name="logger">Receives the warnings.</param>
    /// <exception cref="CliException">A given flag contradicts the weights, or the data set's images do not have the stem's channels.</exception>
    public static ParsedArguments Resolve(ParsedArguments args, OfficialCheckpoint checkpoint, CheckpointScope scopes, ILogger logger) =>
        Resolve(args, CheckpointSettings.Read(checkpoint), checkpoint.Args, checkpoint.FilePath, scopes, logger);

    /// <inheritdoc cref="Resolve(ParsedArguments, OfficialCheckpoint, CheckpointScope, ILogger)"/>
    /// <param name="args">The parsed command line.</param>
    /// <param name="settings">The checkpoint's settings.</param>
    /// <param name="recorded">The flags the checkpoint records (for the data rows, which are no model setting).</param>
    /// <param name="path">The checkpoint's file, for messages.</param>
    /// <param name="scopes">The parts of the model the checkpoint supplies.</param>
    /// <param name="logger">Receives the warnings.</param>
    public static ParsedArguments Resolve(ParsedArguments args, CheckpointSettings settings, OfficialArgs recorded, string path, CheckpointScope scopes, ILogger logger)
    {
        var saved = recorded.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var (name, value) in settings.ToArgs())
        {
            saved[name] = value;
        }

        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in All.Where(r => (scopes & r.Scope) != 0 && (r.Scope != CheckpointScope.SlotHead || settings.UseSlot)))
        {
            if (!FlagTable.TryGet(row.Name, out var spec) || !saved.TryGetValue(row.Name, out var value) || value is null)
            {
                continue;
            }

            var text = ToText(value);
            if (!args.IsExplicit(row.Name))
            {
                if (row.LocalPath && !Path.Exists(text))
                {
                    continue;
                }

                replacements[row.Name] = text;
                continue;
            }

            var given = args.Text(row.Name) ?? string.Empty;
            if (Same(spec.Kind, given, text))
            {
                continue;
            }

            if (row.OnDisagreement == Disagreement.Error)
            {
                throw new CliException($"--{row.Name} {given} does not fit {path}: it was trained with {row.Name} {text}. Leave --{row.Name} out; the checkpoint sets it.");
            }

            if (row.OnDisagreement == Disagreement.Warn)
            {
                logger.LogWarning("--{Flag} {Given} is used as given, but {Path} was trained with {Flag} {Saved}: its answers can differ from the trained model's", row.Name, given, path, row.Name, text);
            }
        }

        var resolved = args.With(replacements, asExplicit: true);
        var dataset = resolved.Text("dataset");
        if ((scopes & CheckpointScope.Input) != 0 && DatasetRegistry.Default.ImageChannels(dataset) != settings.InputChannels)
        {
            throw new CliException($"--dataset {dataset} has {DatasetRegistry.Default.ImageChannels(dataset)}-channel images, but the stem of {path} takes {settings.InputChannels}-channel images{(settings.Dataset is { } trained ? $" (it was trained on {trained})" : string.Empty)}. Leave --dataset out or give a data set with {settings.InputChannels}-channel images.");
        }

        return resolved;
    }

    /// <summary>
    /// The model the resolved flags describe: <paramref name="saved"/> with every row's flag as <paramref name="effective"/>
    /// has it, so a setting this build has no flag for keeps the checkpoint's value.
    /// </summary>
    /// <param name="effective">Flags from <see cref="Resolve(ParsedArguments, CheckpointSettings, OfficialArgs, string, CheckpointScope, ILogger)"/>.</param>
    /// <param name="saved">The checkpoint's settings.</param>
    public static CheckpointSettings Settings(ParsedArguments effective, CheckpointSettings saved)
    {
        var values = saved.ToArgs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var typed = OfficialArgsFactory.From(effective);
        foreach (var row in All.Where(r => typed.ContainsKey(r.Name)))
        {
            values[row.Name] = typed[row.Name];
        }

        return CheckpointSettings.FromArgs(new OfficialArgs(values));
    }

    /// <summary>A recorded value as the flag's text.</summary>
    private static string ToText(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static bool Same(FlagKind kind, string given, string saved) => kind switch
    {
        FlagKind.Integer or FlagKind.IntegerList => long.TryParse(given, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(saved, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && a == b,
        FlagKind.Number or FlagKind.NumberList => double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.TryParse(saved, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && x == y,
        FlagKind.Boolean => FlagValues.ParseBoolean(given) is { } p && p == FlagValues.ParseBoolean(saved),
        _ => string.Equals(given.Trim(), saved.Trim(), StringComparison.OrdinalIgnoreCase),
    };
}
