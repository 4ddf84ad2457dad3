using static TorchSharp.torch;
using Scouter.Core.Compat;

namespace Scouter.Core.Internal;

/// <summary>
/// Random tensors drawn per key (e.g. per row <c>image·S + sample</c>) from a generator seeded with
/// <c>seed + key</c>, so a row's noise does not depend on how rows are grouped into forward batches.
/// </summary>
internal static class KeyedNoise
{
    /// <summary>Standard normal noise, one tensor of <paramref name="shape"/> per key, stacked: <c>[keys, ...shape]</c>.</summary>
    public static Tensor Normal(long seed, IReadOnlyList<long> keys, long[] shape, Device device) => Draw(seed, keys, shape, device, uniform: false);

    /// <summary>Uniform noise on <c>[0, 1)</c>, one tensor of <paramref name="shape"/> per key, stacked.</summary>
    public static Tensor Uniform(long seed, IReadOnlyList<long> keys, long[] shape, Device device) => Draw(seed, keys, shape, device, uniform: true);

    /// <summary>The key <c>image·S + sample</c> of each (image, sample) row, <paramref name="samples"/> = S per image.</summary>
    public static Tensor RowKeys(Tensor imageRows, Tensor sampleRows, long samples)
    {
        using var scalars = new ScalarScope();
        return imageRows.mul(scalars.Of(samples)).Plus(sampleRows);
    }

    private static Tensor Draw(long seed, IReadOnlyList<long> keys, long[] shape, Device device, bool uniform)
    {
        using var scope = NewDisposeScope();
        var drawn = new Dictionary<long, Tensor>();
        foreach (var key in keys.Distinct())
        {
            using var generator = new Generator(unchecked((ulong)(seed + key)));
            drawn[key] = uniform ? rand(shape, generator: generator) : randn(shape, generator: generator);
        }

        return stack(keys.Select(key => drawn[key]).ToArray()).to(device).MoveToOuterDisposeScope();
    }
}
