namespace Scouter.Core.Training;

/// <summary>The outcome of one epoch.</summary>
/// <param name="Epoch">Zero-based epoch index.</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Train">Training metrics.</param>
/// <param name="Validation">Validation metrics.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochMetrics(int Epoch, double LearningRate, PhaseMetrics Train, PhaseMetrics Validation, TimeSpan Duration);
