namespace Scouter.Harness;

/// <summary>Resident memory over a <see cref="MemorySoak"/> run.</summary>
/// <param name="Kind">What was repeated.</param>
/// <param name="Baseline">The sample at the baseline step.</param>
/// <param name="Final">The sample after the last step.</param>
/// <param name="Samples">Every sample, in step order.</param>
public sealed record MemorySoakResult(MemorySoakKind Kind, MemorySample Baseline, MemorySample Final, IReadOnlyList<MemorySample> Samples)
{
    /// <summary>Relative RSS growth from the baseline to the final step: <c>final / baseline − 1</c>.</summary>
    public double RssGrowth => (double)Final.ResidentBytes / Baseline.ResidentBytes - 1.0;

    /// <summary>Live tensors gained between the baseline and the final step (0 when nothing leaks).</summary>
    public long LiveTensorGrowth => Final.LiveTensors - Baseline.LiveTensors;

    /// <summary>A one-line summary.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Kind}: RSS {Baseline.ResidentBytes / 1048576.0:F0} MiB at step {Baseline.Step} → {Final.ResidentBytes / 1048576.0:F0} MiB at step {Final.Step} ({RssGrowth:+0.0%;-0.0%}), live tensors {Baseline.LiveTensors} → {Final.LiveTensors}");
}
