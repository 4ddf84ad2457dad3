namespace Scouter.Core.Training;

/// <summary>Means over the batches of one phase (train or validation), as the official training log reports them.</summary>
/// <param name="Loss">Mean total loss.</param>
/// <param name="Accuracy">Mean top-1 accuracy in [0, 1].</param>
/// <param name="Nll">Mean NLL part.</param>
/// <param name="Area">Mean area part (before λ).</param>
/// <param name="Batches">Batches seen.</param>
/// <param name="Samples">Images seen.</param>
public sealed record PhaseMetrics(double Loss, double Accuracy, double Nll, double Area, int Batches, long Samples);
