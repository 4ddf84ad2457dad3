using Scouter.Core.Interop;

namespace Scouter.Core.Training;

/// <summary>
/// Everything a run needs to continue exactly where it stopped, with the content of an official SCOUTER
/// checkpoint: the model's state dict (official names), the AdamW state, the StepLR schedule, the last finished
/// epoch and the run's arguments. Disposing it disposes its tensors.
/// </summary>
/// <param name="Model">The model's state dict with official names (see <see cref="OfficialCheckpoint.ExportStateDict"/>), on the CPU.</param>
/// <param name="Optimizer">AdamW per-parameter state keyed by official parameter position.</param>
/// <param name="OptimizerParameterCount">Parameters in the official optimizer (its <c>param_groups[0]["params"]</c>).</param>
/// <param name="Epoch">Zero-based index of the last finished epoch; training resumes at <c>Epoch + 1</c>.</param>
/// <param name="Schedule">AdamW and StepLR settings of the run.</param>
/// <param name="BestValidationAccuracy">Best validation accuracy so far (for the best-checkpoint rule).</param>
/// <param name="Args">The run's arguments (official flag names).</param>
public sealed record TrainingCheckpoint(
    StateDict Model,
    AdamWSnapshot Optimizer,
    int OptimizerParameterCount,
    int Epoch,
    TrainingSchedule Schedule,
    double BestValidationAccuracy,
    OfficialArgs Args) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Model.Dispose();
        Optimizer.Dispose();
    }
}
