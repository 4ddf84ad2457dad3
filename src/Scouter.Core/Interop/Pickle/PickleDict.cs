using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Scouter.Core.Interop.Pickle;

/// <summary>
/// A Python <c>dict</c> or <c>collections.OrderedDict</c> read from (or to be written to) a pickle. Entries keep
/// the file's order. Keys compare as Python compares them for the key types pickles hold: strings, integers
/// (an <see cref="int"/> and a <see cref="long"/> of equal value are one key), booleans, null and tuples
/// (<c>object?[]</c>, compared element by element).
/// </summary>
internal sealed class PickleDict : IReadOnlyDictionary<object, object?>
{
    private readonly List<KeyValuePair<object, object?>> entries = [];
    private readonly Dictionary<object, int> index = new(PickleKeyComparer.Instance);

    /// <summary>Creates an empty dictionary.</summary>
    /// <param name="isOrdered"><see langword="true"/> for a <c>collections.OrderedDict</c> (how PyTorch pickles state dicts).</param>
    public PickleDict(bool isOrdered = false)
    {
        IsOrdered = isOrdered;
    }

    /// <summary><see langword="true"/> when this is a <c>collections.OrderedDict</c> rather than a plain <c>dict</c>.</summary>
    public bool IsOrdered { get; }

    /// <inheritdoc />
    public int Count => entries.Count;

    /// <inheritdoc />
    public IEnumerable<object> Keys => entries.Select(e => e.Key);

    /// <inheritdoc />
    public IEnumerable<object?> Values => entries.Select(e => e.Value);

    /// <summary>Gets or sets the value of a key; setting an existing key keeps its position, as in Python.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">Getting a key that is not present.</exception>
    public object? this[object key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The pickled dictionary has no key {PickleValues.Describe(key)}.");
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            if (index.TryGetValue(key, out var position))
            {
                entries[position] = new(entries[position].Key, value);
            }
            else
            {
                index[key] = entries.Count;
                entries.Add(new(key, value));
            }
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(object key) => index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(object key, [MaybeNullWhen(false)] out object? value)
    {
        if (index.TryGetValue(key, out var position))
        {
            value = entries[position].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
