using System.Text;

namespace Scouter.Core.Interop;

/// <summary>What <see cref="StateDictLoader.Load"/> did: which entries it copied and every difference it found.</summary>
public sealed class StateDictLoadReport
{
    internal StateDictLoadReport(
        string moduleName,
        IReadOnlyList<string> loaded,
        IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected,
        IReadOnlyList<StateDictMismatch> mismatched,
        IReadOnlyList<string> dropped)
    {
        ModuleName = moduleName;
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
        Dropped = dropped;
    }

    /// <summary>The type name of the module loaded into.</summary>
    public string ModuleName { get; }

    /// <summary>Module entries that were copied (empty when a strict load failed).</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>Module entries (parameters and buffers) the state dict lacks; they keep their values.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>State-dict entries (after key transforms) the module has no place for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Entries whose shape or dtype differs; they were not copied.</summary>
    public IReadOnlyList<StateDictMismatch> Mismatched { get; }

    /// <summary>State-dict keys (original names) that a key transform dropped on purpose.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>True when every module entry was found and every state-dict entry was used.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A multi-line description listing every difference, with a hint when the keys differ only by a prefix.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append($"{ModuleName}: {Loaded.Count} loaded, {Missing.Count} missing, {Unexpected.Count} unexpected, {Mismatched.Count} mismatched");
        text.Append(Dropped.Count > 0 ? $", {Dropped.Count} dropped by key transforms." : ".");
        void List(string title, IEnumerable<string> items)
        {
            var any = false;
            foreach (var item in items)
            {
                if (!any)
                {
                    text.AppendLine().Append(title);
                    any = true;
                }

                text.AppendLine().Append("  ").Append(item);
            }
        }

        List("Missing (the module has them, the state dict does not):", Missing);
        List("Unexpected (in the state dict, not in the module):", Unexpected);
        List("Mismatched:", Mismatched.Select(m => m.ToString()));
        if (PrefixHint() is { } hint)
        {
            text.AppendLine().Append("Hint: ").Append(hint);
        }

        return text.ToString();
    }

    /// <summary>Detects keys that differ only by a prefix (e.g. <c>module.</c>) and names the transform that fixes it.</summary>
    internal string? PrefixHint()
    {
        if (Missing.Count == 0 || Unexpected.Count == 0)
        {
            return null;
        }

        var missing = Missing.Take(500).ToList();
        var unexpected = Unexpected.Take(500).ToList();
        static (string Prefix, int Count)? Best(List<string> longer, List<string> shorter)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var l in longer)
            {
                foreach (var s in shorter)
                {
                    if (l.Length > s.Length && l.EndsWith(s, StringComparison.Ordinal) && l[^(s.Length + 1)] == '.')
                    {
                        var prefix = l[..^s.Length];
                        counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
                    }
                }
            }

            return counts.Count == 0 ? null : counts.MaxBy(c => c.Value) is var best ? (best.Key, best.Value) : null;
        }

        var needed = Math.Max(1, Math.Min(missing.Count, unexpected.Count) / 2);
        if (Best(unexpected, missing) is { } extra && extra.Count >= needed)
        {
            return $"{extra.Count} state-dict keys carry an extra prefix '{extra.Prefix}'; add StateDictKeyTransforms.StripPrefix(\"{extra.Prefix}\") (or SelectPrefix) to the key transforms.";
        }

        if (Best(missing, unexpected) is { } lacking && lacking.Count >= needed)
        {
            return $"{lacking.Count} module keys carry a prefix '{lacking.Prefix}' the state dict lacks; add StateDictKeyTransforms.AddPrefix(\"{lacking.Prefix}\") to the key transforms, or load into the submodule instead.";
        }

        return null;
    }
}
