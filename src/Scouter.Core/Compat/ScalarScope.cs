using TorchSharp;

namespace Scouter.Core.Compat;

/// <summary>
/// Owns the native <see cref="Scalar"/>s that numeric operands of TorchSharp operations need, and disposes them
/// together, like a dispose scope does for tensors.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107 turns every number passed to an operation (<c>mul_(255f)</c>, <c>eq(0)</c>, <c>arange(m)</c>, and
/// the implicit <c>alpha = 1</c> of <c>Tensor + Tensor</c>) into a <see cref="Scalar"/>: a small native allocation that
/// only the finalizer frees, and that <c>DisposeScope</c> refuses to track ("can only manage Tensor or
/// PackedSequence"). TorchSharp does not keep the scalar alive for the length of the native call that reads it, so a
/// garbage collection in between can free it under the call ("Unknown scalar type"); and thousands of them, left to
/// the garbage collector, live between the large activation buffers of consecutive forward passes and fragment glibc's
/// heap (docs/performance.md, "Memory soaks"). Hot paths therefore take their scalars from a scope and free them on
/// exit. Each <c>Of</c> overload creates the scalar type the matching implicit conversion would, so type promotion is
/// unchanged (an <see cref="int"/> operand of an integer tensor stays integral).</para>
/// <para>Upstream fixes: TorchSharp PRs #1434 and #1496. When a TorchSharp release with both is referenced, delete this
/// folder (<c>Compat/</c>): write numbers as plain literals again, <see cref="ScalarFreeOperators"/> as the operators
/// they name, and use TorchSharp's own AdamW and BatchNorm2d.</para>
/// </remarks>
internal sealed class ScalarScope : IDisposable
{
    private readonly List<Scalar> scalars = [];

    /// <summary>
    /// The <c>int32</c> 1, as a value or as the hidden <c>alpha</c> that <c>Tensor + Tensor</c> and <c>add_(Tensor)</c>
    /// pass (TorchSharp's <c>sub</c> has none): one process-wide instance, rooted here, so never finalised (a native
    /// <c>c10::Scalar</c> is immutable, so sharing it across threads is safe). <see cref="ScalarFreeOperators"/>
    /// passes it for <c>a + b</c>.
    /// </summary>
    public static Scalar One { get; } = 1.ToScalar();

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
