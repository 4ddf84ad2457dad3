using TorchSharp;

namespace Scouter.Core.Internal;

/// <summary>
/// Owns the native <see cref="Scalar"/>s that numeric operands of TorchSharp operations need, and disposes them
/// together, like a dispose scope does for tensors.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns every number passed to an operation (<c>mul_(255f)</c>, <c>eq(0)</c>, <c>arange(m)</c>, and
/// the implicit <c>alpha = 1</c> of <c>Tensor + Tensor</c>) into a <see cref="Scalar"/>: a small native allocation that
/// only the finalizer frees, and that <c>DisposeScope</c> refuses to track ("can only manage Tensor or
/// PackedSequence"). Left to the garbage collector, thousands of them live between the large activation buffers of
/// consecutive forward passes and fragment glibc's heap, so resident memory grows until the first collection
/// (docs/performance.md, "Memory soaks"). Hot paths therefore take their scalars from a scope and free them on exit.
/// Each <c>Of</c> overload creates the scalar type the matching implicit conversion would, so type promotion is
/// unchanged (an <see cref="int"/> operand of an integer tensor stays integral).
/// </remarks>
internal sealed class ScalarScope : IDisposable
{
    private readonly List<Scalar> scalars = [];

    // Process-wide and rooted here, so never finalised; a native c10::Scalar is immutable, so threads can share it.
    private static readonly Scalar TwoInt32 = 2.ToScalar();

    /// <summary>
    /// The <c>int32</c> 1, as a value or as the hidden <c>alpha</c> that <c>Tensor + Tensor</c> and <c>add_(Tensor)</c>
    /// pass (TorchSharp's <c>sub</c> has none): one process-wide instance, rooted here, so never finalised (a native
    /// <c>c10::Scalar</c> is immutable, so sharing it across threads is safe). Write <c>a.add(b, ScalarScope.One)</c>
    /// for <c>a + b</c>.
    /// </summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary><c>x²</c> as TorchSharp's <c>square()</c> computes it (<c>pow(2)</c>), without its hidden scalar.</summary>
    public static torch.Tensor Square(torch.Tensor x) => x.pow(TwoInt32);

    /// <summary>An <c>int32</c> scalar owned by this scope.</summary>
    public Scalar Of(int value) => Keep(value.ToScalar());

    /// <summary>An <c>int64</c> scalar owned by this scope.</summary>
    public Scalar Of(long value) => Keep(value.ToScalar());

    /// <summary>A <c>float32</c> scalar owned by this scope.</summary>
    public Scalar Of(float value) => Keep(value.ToScalar());

    /// <summary>A <c>float64</c> scalar owned by this scope.</summary>
    public Scalar Of(double value) => Keep(value.ToScalar());

    /// <summary><c>arange(0, count)</c> with bounds owned by this scope (int64 unless <paramref name="dtype"/> says otherwise).</summary>
    public torch.Tensor Range(long count, torch.ScalarType? dtype = null, torch.Device? device = null) =>
        torch.arange(Of(0L), Of(count), Of(1L), dtype: dtype, device: device);

    public void Dispose()
    {
        foreach (var scalar in scalars)
        {
            scalar.Dispose();
        }

        scalars.Clear();
    }

    private Scalar Keep(Scalar scalar)
    {
        scalars.Add(scalar);
        return scalar;
    }
}
