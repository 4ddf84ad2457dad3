using System.Numerics;

namespace Scouter.Core.Interop.Pickle;

/// <summary>Python's key equality for the key types pickles hold: integers by value, strings ordinally, tuples element-wise.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object?>
{
    public static readonly PickleKeyComparer Instance = new();

    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null)
        {
            return false;
        }

        if (AsInteger(x) is { } a && AsInteger(y) is { } b)
        {
            return a == b;
        }

        if (x is object?[] tx && y is object?[] ty)
        {
            return TuplesEqual(tx, ty);
        }

        return x.Equals(y);
    }

    public int GetHashCode(object? obj) => Hash(obj, 0);

    // A hostile pickle can nest tuples a million deep (TUPLE1 repeated) and use one as a key: hashing stops at a
    // fixed depth (equal keys still hash equally) and comparing walks an explicit stack, so no call recurses deeply.
    private const int HashDepth = 8;

    private static int Hash(object? obj, int depth) => obj switch
    {
        null => 0,
        _ when AsInteger(obj) is { } i => i.GetHashCode(),
        object?[] tuple when depth >= HashDepth => tuple.Length,
        object?[] tuple => tuple.Aggregate(17, (h, e) => unchecked((h * 31) + Hash(e, depth + 1))),
        _ => obj.GetHashCode(),
    };

    private bool TuplesEqual(object?[] x, object?[] y)
    {
        var pending = new Stack<(object?[], object?[])>();
        pending.Push((x, y));
        while (pending.Count > 0)
        {
            var (a, b) = pending.Pop();
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] is object?[] ta && b[i] is object?[] tb)
                {
                    if (!ReferenceEquals(ta, tb))
                    {
                        pending.Push((ta, tb));
                    }
                }
                else if (!Equals(a[i], b[i]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static BigInteger? AsInteger(object value) => value switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        int i => i,
        long l => l,
        BigInteger big => big,
        _ => null,
    };
}
