namespace Scouter.Core.Interop;

/// <summary>
/// Ready-made key transforms for <see cref="StateDictLoadOptions.KeyTransforms"/>: each maps a key of the file to
/// the module's name for it, or to null to drop the entry. They adapt names that differ only in prefix, such as
/// <c>module.</c> (DataParallel) or <c>backbone.</c>.
/// </summary>
public static class StateDictKeyTransforms
{
    /// <summary>Removes <paramref name="prefix"/> from the keys that start with it; other keys pass unchanged.</summary>
    /// <param name="prefix">E.g. <c>module.</c>.</param>
    public static Func<string, string?> StripPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return key => key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
    }

    /// <summary>Puts <paramref name="prefix"/> in front of every key.</summary>
    /// <param name="prefix">E.g. <c>backbone.</c>.</param>
    public static Func<string, string?> AddPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return key => prefix + key;
    }

    /// <summary>Keeps only the keys under <paramref name="prefix"/>, with the prefix removed; drops the others.</summary>
    /// <param name="prefix">E.g. <c>backbone.</c> to load a whole model's backbone part into the backbone alone.</param>
    public static Func<string, string?> SelectPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return key => key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : null;
    }

    /// <summary>Replaces the prefix <paramref name="from"/> with <paramref name="to"/>; other keys pass unchanged.</summary>
    /// <param name="from">The prefix in the file, e.g. <c>backbone.fc.</c>.</param>
    /// <param name="to">The prefix in the module, e.g. <c>fc.</c>.</param>
    public static Func<string, string?> ReplacePrefix(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentNullException.ThrowIfNull(to);
        return key => key.StartsWith(from, StringComparison.Ordinal) ? to + key[from.Length..] : key;
    }

    /// <summary>Drops the keys that start with any of <paramref name="prefixes"/> (e.g. a classifier's <c>fc.</c>).</summary>
    /// <param name="prefixes">The prefixes to drop.</param>
    public static Func<string, string?> DropPrefix(params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var copy = prefixes.ToArray();
        return key => copy.Any(p => key.StartsWith(p, StringComparison.Ordinal)) ? null : key;
    }

    /// <summary>Drops the keys for which <paramref name="predicate"/> is true.</summary>
    /// <param name="predicate">Which keys to drop.</param>
    public static Func<string, string?> Drop(Func<string, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return key => predicate(key) ? null : key;
    }
}
