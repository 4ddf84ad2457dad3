using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Compat;

/// <summary>
/// <c>a + b</c>, <c>a += b</c>, <c>x²</c> and sums of several tensors, computed as TorchSharp's operators compute them
/// but without the native <see cref="Scalar"/> those operators create and leave to the finalizer.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>Tensor + Tensor</c> and <c>add_(Tensor)</c> pass a hidden <c>alpha = 1</c>, and
/// <c>square()</c> is <c>pow(2)</c>: each a new scalar per call (see <see cref="ScalarScope"/> for why that matters and
/// for the upstream fixes). These pass one process-wide scalar instead, so formula code reads like the formula:
/// <c>a.Plus(b)</c> for <c>a + b</c>. <c>Tensor - Tensor</c>, <c>Tensor * Tensor</c> and <c>Tensor / Tensor</c> pass no
/// hidden scalar and are safe as written; so are <c>Tensor - Scalar</c> and <c>Tensor * Scalar</c> with a scalar from a
/// <see cref="ScalarScope"/>. When the upstream fix ships, replace each call by the operator it names.
/// </remarks>
internal static class ScalarFreeOperators
{
    // Process-wide and rooted here, so never finalised; a native c10::Scalar is immutable, so threads can share it.
    private static readonly Scalar TwoInt32 = 2.ToScalar();

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, ScalarScope.One);

    /// <summary><c>a + b</c> for a scalar <paramref name="b"/> the caller owns.</summary>
    public static Tensor Plus(this Tensor a, Scalar b) => a.add(b, ScalarScope.One);

    /// <summary><c>a += b</c>, in place; returns <paramref name="a"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, ScalarScope.One);

    /// <summary><c>a += b</c>, in place, for a scalar <paramref name="b"/> the caller owns; returns <paramref name="a"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Scalar b) => a.add_(b, ScalarScope.One);

    /// <summary><c>x²</c>, as TorchSharp's <c>square()</c> computes it (<c>pow(2)</c>).</summary>
    public static Tensor Squared(this Tensor x) => x.pow(TwoInt32);

    /// <summary><c>first + second + …</c>, added left to right as <c>a + b + c</c> would be.</summary>
    public static Tensor Sum(Tensor first, Tensor second, params Tensor[] rest)
    {
        var sum = first.Plus(second);
        foreach (var term in rest)
        {
            sum = sum.Plus(term);
        }

        return sum;
    }
}
