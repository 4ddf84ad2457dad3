namespace Scouter.Core.Inference;

/// <summary>
/// Batch norms folded into their convolutions by <see cref="BatchNormFolding.Fold"/>, until disposed: disposing
/// restores the original weights, biases and batch norms exactly (the same tensors, bit for bit).
/// </summary>
public sealed class FoldedBatchNorms : IDisposable
{
    private readonly List<BatchNormFolding.FoldedPair> pairs;

    internal FoldedBatchNorms(List<BatchNormFolding.FoldedPair> pairs, IReadOnlyList<string> unfolded, double difference, string? rejection)
    {
        this.pairs = pairs;
        Convolutions = pairs.Select(pair => pair.Name).ToList();
        Unfolded = unfolded;
        MaxDifference = difference;
        Rejection = rejection;
    }

    /// <summary>A folding of nothing.</summary>
    internal static FoldedBatchNorms Empty => new([], [], 0, null);

    /// <summary>How many batch norms are folded.</summary>
    public int Count => pairs.Count;

    /// <summary>Names (<c>named_modules</c> paths) of the convolutions that absorbed a batch norm.</summary>
    public IReadOnlyList<string> Convolutions { get; }

    /// <summary>Names of the batch norms left as they are (no convolution directly before them, or not foldable).</summary>
    public IReadOnlyList<string> Unfolded { get; }

    /// <summary>
    /// The largest absolute difference between the folded and the original model's output on the sample image
    /// (0 when nothing was folded).
    /// </summary>
    public double MaxDifference { get; }

    /// <summary>Why nothing was folded although pairs were found (the output changed too much), or null.</summary>
    public string? Rejection { get; }

    /// <summary>Restores the model (idempotent).</summary>
    public void Dispose()
    {
        for (var i = pairs.Count - 1; i >= 0; i--)
        {
            pairs[i].Restore();
        }

        pairs.Clear();
    }
}
