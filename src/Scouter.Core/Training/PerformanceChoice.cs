namespace Scouter.Core.Training;

/// <summary>A setting <see cref="PerformanceDefaults"/> chose, and why (one sentence for a log line).</summary>
/// <param name="Enabled">Whether the setting applies.</param>
/// <param name="Reason">What the choice was made from.</param>
public sealed record PerformanceChoice(bool Enabled, string Reason);
