using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Everything a run needs to continue exactly where it stopped, with the content of an official SCOUTER
/// checkpoint: the model's state dict, the optimizer and learning-rate schedule state, the last finished epoch
/// and the run's arguments. Disposing it disposes its tensors.
/// </summary>
/// <param name="Model">The model's state dict (official key names), on the CPU.</param>
/// <param name="Optimizer">AdamW per-parameter state.</param>
/// <param name="Epoch">Zero-based index of the last finished epoch; training resumes at <c>Epoch + 1</c>.</param>
/// <param name="LearningRate">Base learning rate of the schedule.</param>
/// <param name="LrDrop">StepLR step size (epochs).</param>
/// <param name="LrGamma">StepLR factor.</param>
/// <param name="BestValidationAccuracy">Best validation accuracy so far (for the best-checkpoint rule).</param>
/// <param name="Args">The run's arguments (official flag names), for the record and for reloading.</param>
public sealed record TrainingCheckpoint(
    IReadOnlyDictionary<string, Tensor> Model,
    AdamWSnapshot Optimizer,
    int Epoch,
    double LearningRate,
    int LrDrop,
    double LrGamma,
    double BestValidationAccuracy,
    IReadOnlyDictionary<string, object?> Args) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in Model.Values)
        {
            tensor.Dispose();
        }

        Optimizer.Dispose();
    }
}
