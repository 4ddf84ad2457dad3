namespace Scouter.Core.Explanations.Bulk;

/// <summary>Where a bulk explanation stands, reported after every batch written.</summary>
/// <param name="Done">Images in the output file now (those of earlier runs included).</param>
/// <param name="Total">Images of the data set.</param>
/// <param name="Resumed">Images found already written when this run started.</param>
/// <param name="Unreadable">Images left out so far because they could not be read (retried on the next run).</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="ImagesPerSecond">Images explained by this run per second of <paramref name="Elapsed"/>.</param>
public sealed record BulkExplanationProgress(int Done, int Total, int Resumed, int Unreadable, TimeSpan Elapsed, double ImagesPerSecond)
{
    /// <summary>Share of the data set done, in <c>[0, 1]</c>.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
