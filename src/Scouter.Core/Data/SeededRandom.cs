namespace Scouter.Core.Data;

/// <summary>
/// A small deterministic random generator (SplitMix64) whose sequence depends only on its seed, never on the .NET
/// version, the thread or the order in which other samples were drawn. Every per-sample decision of the data
/// pipeline (augmentation, synthetic images, shuffles) draws from one of these, keyed by (seed, epoch, index).
/// </summary>
internal sealed class SeededRandom
{
    private ulong state;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public SeededRandom(ulong seed)
    {
        state = seed;
    }

    /// <summary>Creates a generator keyed by several integers (for example seed, epoch and sample index).</summary>
    /// <param name="keys">The key parts; order matters.</param>
    public static SeededRandom For(params long[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var seed = 0x5C0_07E5_2021UL;
        foreach (var key in keys)
        {
            seed = Mix(seed ^ unchecked((ulong)key) ^ 0x9E37_79B9_7F4A_7C15UL);
        }

        return new SeededRandom(seed);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        state = unchecked(state + 0x9E37_79B9_7F4A_7C15UL);
        return Mix(state);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public int Next(int low, int high)
    {
        if (high <= low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The range [{low}, {high}) is empty.");
        }

        return low + (int)(NextUInt64() % (ulong)(high - low));
    }

    /// <summary><see langword="true"/> with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A standard normal value (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u = 1.0 - NextDouble();
        var v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the last element down).</summary>
    /// <param name="items">The items to permute.</param>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL);
        return z ^ (z >> 31);
    }
}
