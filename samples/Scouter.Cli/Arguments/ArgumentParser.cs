namespace Scouter.Cli.Arguments;

/// <summary>
/// Parses <c>scouter VERB [--flag value | --flag=value]…</c> with argparse's rules: a flag given twice keeps its
/// last value, a unique prefix of a flag name stands for it, and every value is checked against its flag's kind
/// before anything runs.
/// </summary>
internal static class ArgumentParser
{
    public static readonly string[] Verbs = ["train", "explain", "cam", "evaluate", "bench", "export-official", "export-onnx"];

    /// <summary>Parses the command line, or throws <see cref="UsageException"/> naming what is wrong.</summary>
    /// <param name="args">Arguments after the program name; the first is the verb.</param>
    public static ParsedArguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new UsageException($"A verb is required: {string.Join(", ", Verbs)}. Try 'scouter --help'.");
        }

        var verb = args[0];
        if (!Verbs.Contains(verb))
        {
            throw new UsageException($"Unknown verb '{verb}'. Expected one of: {string.Join(", ", Verbs)}.");
        }

        var values = FlagTable.All.ToDictionary(f => f.Name, f => f.Default, StringComparer.Ordinal);
        var explicitFlags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{token}': flags look like --name value (e.g. --use_slot true).");
            }

            string name, value;
            var equals = token.IndexOf('=');
            if (equals > 0)
            {
                name = token[2..equals];
                value = token[(equals + 1)..];
            }
            else
            {
                name = token[2..];
                var standsAlone = i + 1 >= args.Count || IsFlag(args[i + 1]);
                if (standsAlone && Resolve(name).Kind == FlagKind.Switch)
                {
                    value = "true";
                }
                else if (standsAlone)
                {
                    throw new UsageException($"--{Resolve(name).Name} needs a value ({Describe(Resolve(name))}).");
                }
                else
                {
                    value = args[++i];
                }
            }

            var spec = Resolve(name);
            if (FlagRanges.Problem(spec, value) is { } outOfRange)
            {
                throw new UsageException(outOfRange);
            }

            if (FlagValues.Problem(spec, value) is { } expected)
            {
                throw new UsageException($"--{spec.Name}: '{value}' is not {expected}.");
            }

            values[spec.Name] = value;
            explicitFlags.Add(spec.Name);
        }

        return new ParsedArguments(verb, values, explicitFlags);
    }

    // A negative number has one dash (--loss_status -1), so only a double dash starts a flag.
    private static bool IsFlag(string token) => token.StartsWith("--", StringComparison.Ordinal);

    /// <summary>Exact name, or a unique prefix (argparse's allow_abbrev).</summary>
    private static FlagSpec Resolve(string name)
    {
        if (FlagTable.TryGet(name, out var exact))
        {
            return exact;
        }

        var candidates = FlagTable.All.Where(f => f.Name.StartsWith(name, StringComparison.Ordinal)).ToList();
        if (candidates.Count == 1 && name.Length > 0)
        {
            return candidates[0];
        }

        if (candidates.Count > 1)
        {
            throw new UsageException($"Ambiguous flag --{name}: could be {string.Join(", ", candidates.Select(c => "--" + c.Name))}.");
        }

        var closest = FlagTable.All.MinBy(f => Distance(f.Name, name))!;
        throw new UsageException($"Unknown flag --{name}. Did you mean --{closest.Name}? 'scouter --help' lists every flag.");
    }

    private static string Describe(FlagSpec spec) => spec.Kind switch
    {
        FlagKind.Boolean => "true or false",
        FlagKind.Switch => "true or false, or nothing for true",
        FlagKind.Integer => "an integer",
        FlagKind.Number => "a number",
        FlagKind.IntegerList => "an integer or a comma list",
        FlagKind.NumberList => "a number or a comma list",
        _ => "text",
    };

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
