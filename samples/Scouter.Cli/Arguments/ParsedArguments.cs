using System.Globalization;

namespace Scouter.Cli.Arguments;

/// <summary>A verb and its flag values (defaults filled in), read through typed accessors.</summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, string?> values;
    private readonly HashSet<string> explicitFlags;

    public ParsedArguments(string verb, Dictionary<string, string?> values, HashSet<string> explicitFlags)
    {
        Verb = verb;
        this.values = values;
        this.explicitFlags = explicitFlags;
    }

    public string Verb { get; }

    /// <summary>Whether the user wrote this flag (as opposed to its default applying).</summary>
    public bool IsExplicit(string name) => explicitFlags.Contains(name);

    public string? Text(string name) => values[name];

    public int Integer(string name) => int.Parse(Require(name), CultureInfo.InvariantCulture);

    public int? OptionalInteger(string name) => values[name] is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    public double Number(string name) => FlagValues.ParseNumber(Require(name));

    public bool Boolean(string name) => FlagValues.ParseBoolean(Require(name))!.Value;

    /// <summary>A boolean flag's value, or null when it has none (left to a default decided elsewhere).</summary>
    public bool? OptionalBoolean(string name) => values[name] is { } text ? FlagValues.ParseBoolean(text)!.Value : null;

    public IReadOnlyList<int> IntegerList(string name) => FlagValues.SplitList(Require(name)).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();

    public IReadOnlyList<double> NumberList(string name) => FlagValues.SplitList(Require(name)).Select(FlagValues.ParseNumber).ToList();

    /// <summary>Returns a copy with some values replaced (used to run one setting of a sweep).</summary>
    /// <param name="replacements">Flag names and their new values.</param>
    /// <param name="asExplicit">Count the replaced flags as the user's, so no profile default overrides them.</param>
    public ParsedArguments With(IReadOnlyDictionary<string, string> replacements, bool asExplicit = false)
    {
        var copy = new Dictionary<string, string?>(values);
        foreach (var (name, value) in replacements)
        {
            copy[name] = value;
        }

        return new ParsedArguments(Verb, copy, asExplicit ? [.. explicitFlags, .. replacements.Keys] : explicitFlags);
    }

    /// <summary>All values, as the official <c>args</c> namespace holds them (saved in checkpoints).</summary>
    public IReadOnlyDictionary<string, string?> Values => values;

    private string Require(string name) =>
        values[name] ?? throw new UsageException($"--{name} needs a value here (it has no default).");
}
