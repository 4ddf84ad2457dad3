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
            return tx.Length == ty.Length && tx.Zip(ty).All(p => Equals(p.First, p.Second));
        }

        return x.Equals(y);
    }

    public int GetHashCode(object? obj) => obj switch
    {
        null => 0,
        _ when AsInteger(obj) is { } i => i.GetHashCode(),
        object?[] tuple => tuple.Aggregate(17, (h, e) => unchecked((h * 31) + GetHashCode(e))),
        _ => obj.GetHashCode(),
    };

    private static BigInteger? AsInteger(object value) => value switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        int i => i,
        long l => l,
        BigInteger big => big,
        _ => null,
    };
}
