namespace Scouter.Core.Training;

/// <summary>The outcome of a <see cref="ConvolutionSelfCheck"/>: every probe with its errors.</summary>
/// <param name="Probes">The probed convolutions.</param>
public sealed record ConvolutionCheckResult(IReadOnlyList<ConvolutionProbe> Probes)
{
    /// <summary>Whether every probe computed its output and both gradients correctly.</summary>
    public bool IsCorrect => Probes.All(p => p.IsCorrect);

    /// <summary>The failures, one per wrong probe, separated by "; "; empty when everything was correct.</summary>
    public string Failures => string.Join("; ", Probes.Where(p => !p.IsCorrect).Select(p => p.Failure));
}
