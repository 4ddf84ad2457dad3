using Scouter.Core.Options;

namespace Scouter.Core.Training;

/// <summary>Which run a set of checkpoint files belongs to, and their official names (<see cref="CheckpointNames"/>).</summary>
/// <param name="Dataset">Data-set name (<c>--dataset</c>).</param>
/// <param name="UseSlot">xSlot head (true) or FC baseline.</param>
/// <param name="Polarity">Positive or negative SCOUTER.</param>
public sealed record CheckpointTarget(string Dataset, bool UseSlot, ScouterPolarity Polarity)
{
    /// <summary>The per-epoch checkpoint's file name.</summary>
    public string Latest => CheckpointNames.Latest(Dataset, UseSlot, Polarity);

    /// <summary>The best-validation checkpoint's file name.</summary>
    public string Best => CheckpointNames.Best(Dataset, UseSlot, Polarity);

    /// <summary>A numbered checkpoint's file name.</summary>
    /// <param name="epoch">Zero-based epoch index.</param>
    public string Numbered(int epoch) => CheckpointNames.Numbered(Dataset, UseSlot, Polarity, epoch);
}
