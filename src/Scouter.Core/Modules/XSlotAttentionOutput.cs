using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// What one pass of <see cref="XSlotAttention"/> produces: the last iteration's slot updates and attention.
/// Disposing it disposes both tensors.
/// </summary>
/// <param name="Updates">Slot updates <c>U = A·X / d</c> of the last iteration, <c>[B, K, d]</c>, class-major (slot <c>c·s + j</c>).</param>
/// <param name="Attention">Sigmoid attention <c>A</c> of the last iteration, <c>[B, K, h·w]</c>, class-major.</param>
public sealed record XSlotAttentionOutput(Tensor Updates, Tensor Attention) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Updates.Dispose();
        Attention.Dispose();
    }
}
