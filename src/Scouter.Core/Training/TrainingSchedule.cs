namespace Scouter.Core.Training;

/// <summary>The optimizer and learning-rate schedule settings a checkpoint records.</summary>
/// <param name="LearningRate">Base learning rate.</param>
/// <param name="WeightDecay">AdamW weight decay.</param>
/// <param name="LrDrop">StepLR step size (epochs).</param>
/// <param name="LrGamma">StepLR factor.</param>
public sealed record TrainingSchedule(double LearningRate, double WeightDecay, int LrDrop, double LrGamma)
{
    /// <summary>The learning rate StepLR gives epoch <paramref name="epoch"/>: <c>lr · γ^⌊epoch / lr_drop⌋</c>.</summary>
    /// <param name="epoch">Zero-based epoch index.</param>
    public double At(int epoch) => LearningRate * Math.Pow(LrGamma, epoch / LrDrop);
}
