using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// Everything a classifier head computes in one pass: the class scores, and for an xSlot head the attention
/// the SCOUTER loss needs and the per-class explanation maps. Disposing it disposes every tensor it holds.
/// </summary>
/// <param name="Scores">Class scores <c>[B, n]</c>; <c>log_softmax(Scores)</c> is the official model's output.</param>
/// <param name="SlotAttention">Last-iteration attention of all <c>K</c> slots <c>[B, K, h·w]</c>, class-major; null for the FC head.</param>
/// <param name="ClassMaps">Per-class attention maps <c>[B, n, h, w]</c> (each class's slots summed); null for the FC head.</param>
public sealed record HeadOutput(Tensor Scores, Tensor? SlotAttention, Tensor? ClassMaps) : IDisposable
{
    /// <summary>Log-probabilities <c>log_softmax(Scores)</c>, the official model's output (a new tensor).</summary>
    public Tensor LogProbabilities() => nn.functional.log_softmax(Scores, 1);

    /// <summary>Moves every tensor out of the current dispose scope, so the output outlives it.</summary>
    /// <returns>This instance.</returns>
    public HeadOutput MoveToOuterDisposeScope()
    {
        Scores.MoveToOuterDisposeScope();
        SlotAttention?.MoveToOuterDisposeScope();
        ClassMaps?.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Scores.Dispose();
        SlotAttention?.Dispose();
        ClassMaps?.Dispose();
    }
}
