namespace Scouter.Core.Training;

/// <summary>The loss, its parts and the accuracy of one batch, as the training log averages them over batches.</summary>
/// <param name="Loss">Total SCOUTER loss of the batch.</param>
/// <param name="Nll">NLL part (batch mean).</param>
/// <param name="Area">Area part before λ.</param>
/// <param name="Accuracy">Top-1 accuracy in [0, 1].</param>
/// <param name="Samples">Images in the batch.</param>
internal sealed record StepMetrics(double Loss, double Nll, double Area, double Accuracy, long Samples);
