using System.Globalization;
using System.Numerics;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;

namespace Scouter.Cli.Arguments;

/// <summary>
/// The allowed range of every integer flag and the choices of the text flags that name something built in (the
/// backbone, the data set), checked when the command line is read (exit code 2) and again on the values a
/// checkpoint brings (<see cref="CheckAll"/>). The bounds keep every size that reaches LibTorch far from an
/// overflow or an allocation no machine can make; <see cref="Commands.MemoryBudget"/> then weighs the sizes together
/// against this machine's memory.
/// </summary>
internal static class FlagRanges
{
    /// <summary>Inclusive bounds and, for the upper one, why it is there; <paramref name="Only"/> lists the only values allowed within them.</summary>
    private sealed record Range(long Min, long Max, string? Why = null, long[]? Only = null);

    private static readonly Dictionary<string, Range> Ranges = new(StringComparer.Ordinal)
    {
        ["img_size"] = new(1, 4096, "images are resized to img_size × img_size; the official size is 260"),
        ["map_size"] = new(1, 4096, "a map of map_size × map_size bytes is written per explained class and image"),
        ["batch_size"] = new(1, 65_536),
        ["epochs"] = new(1, 1_000_000),
        ["lr_drop"] = new(1, 1_000_000),
        ["channel"] = new(1, 65_536),
        ["num_classes"] = new(1, 100_000, "the largest data sets have tens of thousands of classes"),
        ["slots_per_class"] = new(1, 1_000),
        ["hidden_dim"] = new(2, 4_096, "the slot GRU holds 6 × hidden_dim² weights"),
        ["to_k_layer"] = new(1, 64),
        ["freeze_layers"] = new(0, 4, "a ResNet has four stages, layer1 to layer4"),
        ["vis_id"] = new(0, int.MaxValue),
        ["iterated_evaluation_num"] = new(1, 10_000),
        ["num_workers"] = new(0, 256),
        ["start_epoch"] = new(0, 1_000_000),
        ["world_size"] = new(1, 64, "each replica is a full copy of the model in this process"),
        ["threads"] = new(1, 1_024),
        ["steps"] = new(1, 1_000_000),
        ["synthetic_train"] = new(1, 10_000_000, "the synthetic set is generated on the fly, but its index lists are held in memory"),
        ["synthetic_val"] = new(1, 10_000_000, "the synthetic set is generated on the fly, but its index lists are held in memory"),
        ["cam_samples"] = new(1, 100_000),
        ["max_images"] = new(0, int.MaxValue),
        ["top_k"] = new(1, 100_000),
        ["max_image_pixels"] = new(0, int.MaxValue),
        ["loss_status"] = new(-1, 1, "1 is positive SCOUTER, -1 negative"),
        ["output_stride"] = new(8, 32, Only: [.. BackboneOptions.SupportedOutputStrides.Select(s => (long)s)]),
    };

    private static readonly Dictionary<string, Func<IReadOnlyList<string>>> Choices = new(StringComparer.Ordinal)
    {
        ["model"] = () => BackboneRegistry.Default.Names,
        ["dataset"] = () => DatasetRegistry.Default.Names,
    };

    // --model onnx:PATH names a file, not a registered backbone; its own checks say what is wrong with it.
    private static bool IsImportedModel(string flag, string text) =>
        flag == "model" && text.StartsWith(Scouter.Core.Onnx.OnnxBackbones.NamePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <c>--<paramref name="name"/></c> has a range here (every integer flag but those that take any int).</summary>
    /// <param name="name">The flag, without dashes.</param>
    public static bool HasRange(string name) => Ranges.ContainsKey(name);

    /// <summary>
    /// The message for a whole-number value of an integer flag outside its range, or a value of a text flag that is
    /// none of its choices; null otherwise (also for text that is no whole number: <see cref="FlagValues.Problem"/> reports that).
    /// </summary>
    /// <param name="spec">The flag.</param>
    /// <param name="text">Its value as written; for a list flag, the comma list.</param>
    public static string? Problem(FlagSpec spec, string text)
    {
        if (Choices.TryGetValue(spec.Name, out var choices) && !IsImportedModel(spec.Name, text))
        {
            var known = choices();
            return known.Contains(text, StringComparer.OrdinalIgnoreCase) ? null : $"--{spec.Name}: '{text}' is not one of {string.Join(", ", known)}.";
        }

        if (!Ranges.TryGetValue(spec.Name, out var range))
        {
            return null;
        }

        var items = spec.Kind == FlagKind.IntegerList ? FlagValues.SplitList(text) : [text.Trim()];
        foreach (var item in items)
        {
            if (!BigInteger.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            if (range.Only is { } only && !only.Contains((long)BigInteger.Clamp(value, long.MinValue, long.MaxValue)))
            {
                return $"--{spec.Name} must be one of {string.Join(", ", only)}; got {item}.";
            }

            if (value < range.Min)
            {
                return $"--{spec.Name}: {item} is too small; the smallest allowed value is {range.Min}.";
            }

            if (value > range.Max)
            {
                return $"--{spec.Name}: {item} is too large; the largest allowed value is {range.Max}{(range.Why is null ? string.Empty : $" ({range.Why})")}.";
            }
        }

        return null;
    }

    /// <summary>Checks the kind and range of every flag value, e.g. those a checkpoint's saved <c>args</c> brought.</summary>
    /// <param name="args">The values.</param>
    /// <param name="origin">Where the values came from, for the message (e.g. "the checkpoint x.pth").</param>
    /// <exception cref="CliException">A value is not of its flag's kind or out of its range.</exception>
    public static void CheckAll(ParsedArguments args, string origin)
    {
        foreach (var spec in FlagTable.All)
        {
            if (args.Text(spec.Name) is not { } text)
            {
                continue;
            }

            var problem = FlagValues.Problem(spec, text) is { } expected ? $"--{spec.Name}: '{text}' is not {expected}." : Problem(spec, text);
            if (problem is not null)
            {
                throw new CliException($"{origin}: {problem}");
            }
        }
    }
}
