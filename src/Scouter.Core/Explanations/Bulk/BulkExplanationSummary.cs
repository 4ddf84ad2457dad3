namespace Scouter.Core.Explanations.Bulk;

/// <summary>What a finished bulk explanation run did.</summary>
/// <param name="OutputPath">The JSON Lines file (absolute).</param>
/// <param name="Total">Images of the data set.</param>
/// <param name="Resumed">Images already in the file when the run started (skipped).</param>
/// <param name="Written">Lines this run appended.</param>
/// <param name="Unreadable">Images left out because they could not be read; a later run retries them.</param>
/// <param name="TruncatedBytes">Bytes of an incomplete last line (an earlier run's crash) cut off at the start.</param>
/// <param name="OverlaysWritten">PNG overlays written by this run.</param>
/// <param name="Elapsed">Wall time of this run.</param>
public sealed record BulkExplanationSummary(string OutputPath, int Total, int Resumed, int Written, int Unreadable, long TruncatedBytes, int OverlaysWritten, TimeSpan Elapsed)
{
    /// <summary>Images explained per second by this run.</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Written / Elapsed.TotalSeconds : 0;

    /// <summary>Whether every image of the data set is in the file.</summary>
    public bool Complete => Resumed + Written == Total;
}
