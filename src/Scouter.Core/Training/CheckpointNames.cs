using Scouter.Core.Options;

namespace Scouter.Core.Training;

/// <summary>
/// Checkpoint file names of the official <c>train.py</c>:
/// <c>{dataset}_{use_slot_|no_slot_}{negative_}checkpoint.pth</c>, plus <c>…checkpoint{epoch:0000}.pth</c> every
/// 10 epochs and at each learning-rate drop; and our best-validation checkpoint <c>…checkpoint_best.pth</c>.
/// </summary>
public static class CheckpointNames
{
    /// <summary>The stem shared by a run's checkpoints, e.g. <c>MNIST_use_slot_negative_</c>.</summary>
    /// <param name="dataset">Data-set name (<c>--dataset</c>).</param>
    /// <param name="useSlot">xSlot head (true) or FC baseline.</param>
    /// <param name="polarity">Positive or negative SCOUTER; ignored for the FC baseline.</param>
    public static string Stem(string dataset, bool useSlot, ScouterPolarity polarity) =>
        $"{dataset}_{(useSlot ? "use_slot_" : "no_slot_")}{(useSlot && polarity != ScouterPolarity.Positive ? "negative_" : string.Empty)}";

    /// <summary>The checkpoint rewritten every epoch (what <c>--resume</c> and <c>--use_pre</c> read).</summary>
    /// <param name="dataset">Data-set name.</param>
    /// <param name="useSlot">xSlot head or FC baseline.</param>
    /// <param name="polarity">Polarity.</param>
    public static string Latest(string dataset, bool useSlot, ScouterPolarity polarity) =>
        Stem(dataset, useSlot, polarity) + "checkpoint.pth";

    /// <summary>A numbered checkpoint, e.g. <c>MNIST_use_slot_checkpoint0009.pth</c> after the tenth epoch.</summary>
    /// <param name="dataset">Data-set name.</param>
    /// <param name="useSlot">xSlot head or FC baseline.</param>
    /// <param name="polarity">Polarity.</param>
    /// <param name="epoch">Zero-based epoch index.</param>
    public static string Numbered(string dataset, bool useSlot, ScouterPolarity polarity, int epoch) =>
        Stem(dataset, useSlot, polarity) + $"checkpoint{epoch:0000}.pth";

    /// <summary>The checkpoint of the epoch with the best validation accuracy so far.</summary>
    /// <param name="dataset">Data-set name.</param>
    /// <param name="useSlot">xSlot head or FC baseline.</param>
    /// <param name="polarity">Polarity.</param>
    public static string Best(string dataset, bool useSlot, ScouterPolarity polarity) =>
        Stem(dataset, useSlot, polarity) + "checkpoint_best.pth";

    /// <summary>Whether the official loop writes a numbered checkpoint after <paramref name="epoch"/>.</summary>
    /// <param name="epoch">Zero-based epoch index.</param>
    /// <param name="lrDrop">Epochs between learning-rate drops.</param>
    /// <param name="every">Numbered checkpoint period (10 in the official code).</param>
    public static bool IsNumbered(int epoch, int lrDrop, int every = 10) =>
        (epoch + 1) % lrDrop == 0 || (epoch + 1) % every == 0;
}
