namespace Scouter.Core.Explanations.Metrics;

/// <summary>A per-batch progress report of <see cref="ExplanationEvaluator.Evaluate"/>, for progress bars.</summary>
/// <param name="Batches">Batches evaluated so far (1-based).</param>
/// <param name="Images">Images evaluated so far.</param>
public sealed record EvaluationProgress(int Batches, long Images);
