using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// The result of an insertion or deletion game: the target's score after each step, the fraction of pixels changed
/// at each step, and the area under each curve. Disposing it disposes the tensors.
/// </summary>
/// <param name="Scores">Scores <c>[B, n + 1]</c>: point 0 before any pixel changes, point <c>n</c> after all have.</param>
/// <param name="Fractions">Fraction of pixels changed at each point <c>[n + 1]</c>, from 0 to 1, float64.</param>
/// <param name="Auc">Area under each curve over the fraction axis <c>[B]</c> (trapezoid rule), float64.</param>
public sealed record InsertionDeletionCurves(Tensor Scores, Tensor Fractions, Tensor Auc) : IDisposable
{
    /// <summary>Moves the tensors out of the current dispose scope, so the result outlives it.</summary>
    /// <returns>This instance.</returns>
    public InsertionDeletionCurves MoveToOuterDisposeScope()
    {
        Scores.MoveToOuterDisposeScope();
        Fractions.MoveToOuterDisposeScope();
        Auc.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Scores.Dispose();
        Fractions.Dispose();
        Auc.Dispose();
    }
}
