using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Scouter.Core.Interop.Pickle;
using Scouter.Core.Options;

namespace Scouter.Core.Interop;

/// <summary>
/// The command-line flags an official SCOUTER checkpoint stores under <c>args</c> (a pickled
/// <c>argparse.Namespace</c>; docs/official-implementation.md §5), by their official names: <c>model</c>, <c>dataset</c>,
/// <c>num_classes</c>, <c>img_size</c>, <c>use_slot</c>…. <see cref="ToHeadOptions"/> and <see cref="ToLossOptions"/> give the
/// head's and the loss's options.
/// </summary>
/// <remarks>
/// Values keep their Python types (<see cref="long"/>, <see cref="double"/>, <see cref="string"/>, <see cref="bool"/>,
/// null). The typed getters also accept the forms the official flags take on the command line: sweep flags such as
/// <c>num_classes</c> may hold a string (<c>"10"</c>), and booleans may be strings such as <c>"yes"</c> or <c>"0"</c>.
/// </remarks>
public sealed class OfficialArgs : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> values;

    /// <summary>Wraps flag values by their official names.</summary>
    /// <param name="values">The flags; copied.</param>
    public OfficialArgs(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        this.values = new Dictionary<string, object?>(values, StringComparer.Ordinal);
    }

    /// <summary>No flags at all (a checkpoint without <c>args</c>).</summary>
    public static OfficialArgs Empty { get; } = new([]);

    /// <summary>
    /// The official flags that describe <paramref name="head"/> and <paramref name="loss"/>: <c>num_classes</c>,
    /// <c>channel</c>, <c>hidden_dim</c>, <c>slots_per_class</c>, <c>to_k_layer</c>, <c>loss_status</c>, <c>use_slot</c>,
    /// <c>lambda_value</c> (<see cref="ScouterLossOptions.Lambda"/>), <c>power</c>, plus any <paramref name="extra"/> flags
    /// (e.g. <c>model</c>, <c>dataset</c>, <c>img_size</c>), which win on a clash.
    /// </summary>
    /// <param name="head">The head's options.</param>
    /// <param name="loss">The loss's options.</param>
    /// <param name="extra">More flags by official name.</param>
    public static OfficialArgs FromOptions(ClassifierHeadOptions head, ScouterLossOptions loss, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(loss);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["num_classes"] = (long)head.NumClasses,
            ["channel"] = (long)head.Channels,
            ["hidden_dim"] = (long)head.HiddenDim,
            ["slots_per_class"] = (long)head.SlotsPerClass,
            ["to_k_layer"] = (long)head.ToKLayers,
            ["loss_status"] = (long)(int)head.Polarity,
            ["lambda_value"] = loss.Lambda,
            ["power"] = loss.Power,
            ["use_slot"] = head.UseSlot,
        };
        foreach (var (key, value) in extra ?? [])
        {
            values[key] = value;
        }

        return new OfficialArgs(values);
    }

    /// <summary>
    /// The head options these flags describe (<c>use_slot</c>, <c>num_classes</c>, <c>channel</c>, <c>hidden_dim</c>,
    /// <c>slots_per_class</c>, <c>to_k_layer</c>, <c>loss_status</c>). Flags that are absent keep
    /// <see cref="ClassifierHeadOptions"/>'s defaults (which are the official defaults); the result is validated.
    /// </summary>
    /// <exception cref="FormatException">A flag holds a value of the wrong kind, or a sweep list of several values.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value is out of range.</exception>
    public ClassifierHeadOptions ToHeadOptions()
    {
        var options = new ClassifierHeadOptions();
        SetIfPresent("num_classes", f => options.NumClasses = GetInt(f));
        SetIfPresent("channel", f => options.Channels = GetInt(f));
        SetIfPresent("hidden_dim", f => options.HiddenDim = GetInt(f));
        SetIfPresent("slots_per_class", f => options.SlotsPerClass = GetInt(f));
        SetIfPresent("to_k_layer", f => options.ToKLayers = GetInt(f));
        SetIfPresent("loss_status", f => options.Polarity = (ScouterPolarity)GetInt(f));
        SetIfPresent("use_slot", f => options.UseSlot = GetBool(f));
        return ClassifierHeadOptionsValidator.ThrowIfInvalid(options);
    }

    /// <summary>
    /// The loss options these flags describe: <c>lambda_value</c> as <see cref="ScouterLossOptions.Lambda"/>, and
    /// <c>power</c>. Flags that are absent keep the official defaults; the result is validated.
    /// </summary>
    /// <exception cref="FormatException">A flag holds a value of the wrong kind, or a sweep list of several values.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value is out of range.</exception>
    public ScouterLossOptions ToLossOptions()
    {
        var options = new ScouterLossOptions();
        SetIfPresent("lambda_value", f => options.Lambda = GetDouble(f));
        SetIfPresent("power", f => options.Power = GetDouble(f));
        return ScouterLossOptionsValidator.ThrowIfInvalid(options);
    }

    /// <summary>
    /// The flag under which Scouter.Core records the backbone's output stride. It is ours, not an official flag: the
    /// official code always builds its backbones at output stride 32.
    /// </summary>
    public const string OutputStrideFlag = "output_stride";

    /// <summary>
    /// The backbone output stride the weights were trained with: <see cref="OutputStrideFlag"/>, or 32 when the flag is
    /// absent or None, as in every official checkpoint. The weights fit a backbone of any stride; the numbers they give
    /// are those of this one.
    /// </summary>
    /// <exception cref="FormatException">The flag holds something other than one integer.</exception>
    public int OutputStride => TryGetValue(OutputStrideFlag, out var value) && value is not null ? GetInt(OutputStrideFlag) : 32;

    /// <summary>A flag as an integer (from an int, an integral float, or a string holding one value).</summary>
    /// <param name="name">The official flag name.</param>
    public int GetInt(string name)
    {
        var value = Get(name);
        var number = value switch
        {
            long l => l,
            double d when d == Math.Floor(d) => (long?)d,
            string s when long.TryParse(Single(name, s), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => PickleValues.AsInt64(value),
        };
        return number is { } n && n is >= int.MinValue and <= int.MaxValue
            ? (int)n
            : throw new FormatException($"args.{name} should be an integer; found {PickleValues.Describe(value)}.");
    }

    /// <summary>A flag as a number (from a float, an int, or a string holding one value).</summary>
    /// <param name="name">The official flag name.</param>
    public double GetDouble(string name)
    {
        var value = Get(name);
        return value switch
        {
            double d => d,
            string s when double.TryParse(Single(name, s), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ when PickleValues.AsInt64(value) is { } l => l,
            _ => throw new FormatException($"args.{name} should be a number; found {PickleValues.Describe(value)}."),
        };
    }

    /// <summary>A flag as a boolean (from a bool, 0/1, or the official spellings yes/true/t/y/1 and no/false/f/n/0).</summary>
    /// <param name="name">The official flag name.</param>
    public bool GetBool(string name)
    {
        var value = Get(name);
        return value switch
        {
            bool b => b,
            long and (0 or 1) => (long)value == 1,
            string s when s.Trim().ToLowerInvariant() is "yes" or "true" or "t" or "y" or "1" => true,
            string s when s.Trim().ToLowerInvariant() is "no" or "false" or "f" or "n" or "0" => false,
            _ => throw new FormatException($"args.{name} should be a boolean; found {PickleValues.Describe(value)}."),
        };
    }

    /// <summary>A flag as a string (null when the flag is None).</summary>
    /// <param name="name">The official flag name.</param>
    public string? GetString(string name) => Get(name) switch
    {
        null => null,
        string s => s,
        var other => throw new FormatException($"args.{name} should be a string; found {PickleValues.Describe(other)}."),
    };

    /// <inheritdoc />
    public object? this[string key] => Get(key);

    /// <inheritdoc />
    public IEnumerable<string> Keys => values.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => values.Values;

    /// <inheritdoc />
    public int Count => values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The <c>argparse.Namespace</c> the official train.py pickles.</summary>
    internal PickleObject ToNamespace()
    {
        var attributes = new PickleDict();
        foreach (var (key, value) in values)
        {
            attributes[key] = value;
        }

        return new PickleObject(new PickleGlobal("argparse", "Namespace"), [], attributes, IsNewObject: true);
    }

    private void SetIfPresent(string flag, Action<string> apply)
    {
        if (ContainsKey(flag))
        {
            apply(flag);
        }
    }

    private object? Get(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"The checkpoint's args have no flag '{name}'.");

    private static string Single(string name, string text) =>
        text.Contains(',', StringComparison.Ordinal)
            ? throw new FormatException($"args.{name} is the sweep list '{text}'; a checkpoint's model has one value. Pass the options explicitly.")
            : text.Trim();
}
