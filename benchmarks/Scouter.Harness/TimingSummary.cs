namespace Scouter.Harness;

/// <summary>Wall-clock times of repeated runs of one operation, in milliseconds, with their median and spread.</summary>
/// <param name="Milliseconds">Every timed run, in order.</param>
public sealed record TimingSummary(IReadOnlyList<double> Milliseconds)
{
    /// <summary>Runs timed.</summary>
    public int Count => Milliseconds.Count;

    /// <summary>Median time (the mean of the middle two for an even count); NaN when nothing was timed.</summary>
    public double Median => Quantile(0.5);

    /// <summary>Fastest run; NaN when nothing was timed.</summary>
    public double Min => Count == 0 ? double.NaN : Milliseconds.Min();

    /// <summary>Slowest run; NaN when nothing was timed.</summary>
    public double Max => Count == 0 ? double.NaN : Milliseconds.Max();

    /// <summary>The <paramref name="q"/>-quantile with linear interpolation between order statistics (NumPy's default).</summary>
    /// <param name="q">Between 0 and 1.</param>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        if (Count == 0)
        {
            return double.NaN;
        }

        var sorted = Milliseconds.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>Median, min and max, e.g. <c>812.4 ms (790.1–901.7, n = 10)</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Median:F1} ms ({Min:F1}–{Max:F1}, n = {Count})");
}
