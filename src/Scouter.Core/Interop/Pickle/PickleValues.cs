using System.Collections;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop.Pickle;

/// <summary>Short descriptions of unpickled values for error messages, in Python's terms.</summary>
internal static class PickleValues
{
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        int or long => $"int {value}",
        BigInteger big => big.GetByteCount() > 16 ? $"int of {big.GetByteCount() * 8} bits" : $"int {big}",
        double d => $"float {d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        string s => $"str '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        byte[] bytes => $"bytes of length {bytes.Length}",
        Tensor t => $"tensor [{string.Join(", ", t.shape)}] {t.dtype}",
        object?[] tuple => $"tuple of {tuple.Length}",
        PickleDict dict => $"{(dict.IsOrdered ? "OrderedDict" : "dict")} of {dict.Count} entries",
        PickleObject obj => $"{obj.Type.FullName} object",
        PickleGlobal global => $"reference to {global.FullName}",
        IList list => $"list of {list.Count}",
        ICollection set => $"set of {set.Count}",
        _ => value.GetType().Name,
    };

    /// <summary>The integer value of a pickled int, or null when <paramref name="value"/> is no integer or does not fit.</summary>
    public static long? AsInt64(object? value) => value switch
    {
        int i => i,
        long l => l,
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        _ => null,
    };
}
