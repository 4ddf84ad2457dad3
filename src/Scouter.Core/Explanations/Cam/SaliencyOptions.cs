namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Settings every saliency method shares. Method-specific settings (number of masks, iterations, …) are arguments
/// of each method's <c>Create</c> factory.
/// </summary>
public sealed record SaliencyOptions
{
    /// <summary>Images explained together in one pass (default 8). Larger is faster and uses more memory.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Perturbed copies per model call for perturbation methods (default 64).</summary>
    public int ForwardBatchSize { get; init; } = 64;

    /// <summary>
    /// The official <c>--grad_min_level</c> (default 0): after ReLU and min–max normalisation every map is floored at
    /// this value and normalised again (docs/official-implementation.md §3).
    /// </summary>
    public double GradMinLevel { get; init; }

    /// <summary>Seed of the random numbers of stochastic methods (default 0); equal seeds give equal maps.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// For methods created by name (<see cref="SaliencyMethodRegistry.Create"/>): overrides the sample count of the sampling
    /// methods (SS-CAM noise samples, IS-CAM integration steps, RISE masks, I-GOS integration steps), which sets
    /// their cost; null keeps each method's published default.
    /// </summary>
    public int? Samples { get; init; }

    internal SaliencyOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ForwardBatchSize, 1, nameof(ForwardBatchSize));
        if (Samples is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "Samples must be at least 1 (or null for each method's default).");
        }

        if (!(GradMinLevel >= 0 && GradMinLevel <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(GradMinLevel), GradMinLevel, "GradMinLevel (grad_min_level) must lie in [0, 1].");
        }

        return this;
    }
}
