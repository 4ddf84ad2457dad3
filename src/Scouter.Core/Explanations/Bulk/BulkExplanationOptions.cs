namespace Scouter.Core.Explanations.Bulk;

/// <summary>How <see cref="BulkExplainer"/> batches images and what it writes for each.</summary>
public sealed class BulkExplanationOptions
{
    /// <summary>Images per forward pass (default 64, the official <c>batch_size</c>).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Threads decoding and transforming images ahead of the model (default 2; 0 decodes on the calling thread).</summary>
    public int Workers { get; set; } = 2;

    /// <summary>Batches prepared ahead of the model (default 2).</summary>
    public int Prefetch { get; set; } = 2;

    /// <summary>
    /// Classes explained per image (default 1), chosen from the scores as the model's polarity asks: the most likely
    /// first for SCOUTER+, the least likely first for SCOUTER− (<see cref="ClassSelection.ForPolarity"/>).
    /// </summary>
    public int TopK { get; set; } = 1;

    /// <summary>
    /// Side of the square maps written (Pillow-bilinear resize of the 8-bit maps, as the official overlays do); null
    /// (default) writes them at the feature map's resolution, the most compact choice.
    /// </summary>
    public int? MapSize { get; set; }

    /// <summary>When set, every explained map is also drawn over its image as a PNG in this folder (the official overlay).</summary>
    public string? OverlayDirectory { get; set; }

    /// <summary>
    /// Continue an existing output file (default true): keep its complete lines, cut off an incomplete last line, and
    /// skip the images already in it. False starts the file afresh. Either way, only a file of explanation records is
    /// touched: any other file is refused, byte for byte unchanged.
    /// </summary>
    public bool Resume { get; set; } = true;

    /// <summary>Flush every batch's lines to the disk itself (fsync; default true), not only to the operating system.</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>
    /// Fold the backbone's batch norms into its convolutions for the run (default true;
    /// <see cref="Inference.BatchNormFolding"/>): one pass over the activations less per pair, same maps and scores up to
    /// float rounding. The model is restored when the run ends.
    /// </summary>
    public bool FoldBatchNorm { get; set; } = true;

    /// <summary>Checks every value and returns a copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public BulkExplanationOptions Validated()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1 image.");
        }

        if (Workers < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be 0 (decode on the calling thread) or more.");
        }

        if (Prefetch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be at least 1 batch.");
        }

        if (TopK < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be at least 1 class per image.");
        }

        if (MapSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MapSize), MapSize, "MapSize must be at least 1 pixel, or null for the feature map's resolution.");
        }

        return (BulkExplanationOptions)MemberwiseClone();
    }
}
