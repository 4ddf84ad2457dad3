namespace Scouter.Core.Training;

/// <summary>Which part of an epoch a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingPhase
{
    /// <summary>Optimising on training batches.</summary>
    Train,

    /// <summary>Evaluating on validation batches.</summary>
    Validation,
}

/// <summary>A per-batch progress report, for progress bars and live metrics.</summary>
/// <param name="Epoch">Zero-based epoch index.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Phase">Training or validation.</param>
/// <param name="Step">Batches done in this phase (1-based).</param>
/// <param name="Steps">Batches in this phase, when known.</param>
/// <param name="Loss">Running mean loss of the phase.</param>
/// <param name="Accuracy">Running mean accuracy of the phase.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, TrainingPhase Phase, int Step, int? Steps, double Loss, double Accuracy);
