// The official SCOUTER freeze_layers rule (sloter/slot_model.py, SlotModel.dfs_freeze: nothing for k = 0, else
// unfreeze_layers = ['layer4', 'layer3', 'layer2', 'layer1'][:4 - k] and requires_grad = False on the parameters
// of every other child of the backbone; its recursion into those children changes nothing more).
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// Freezes the early part of a ResNet-family backbone, as the official <c>--freeze_layers k</c> flag does when a
/// pretrained backbone is fine-tuned.
/// </summary>
/// <remarks>
/// <para>k = 0 freezes nothing. Otherwise only the last <c>4 − k</c> of <c>layer4, layer3, layer2, layer1</c> stay
/// trainable and every other top-level child is frozen, the stem included: k = 1 trains layer2–4, k = 2 trains layer3
/// and layer4, k = 3 trains layer4, k = 4 trains nothing.</para>
/// <para>As in the official code, a child stays trainable when its name <em>contains</em> one of the kept names, and
/// freezing only clears <c>requires_grad</c> on parameters: it never sets one back, and BatchNorm running statistics
/// of frozen layers still update whenever the module is in training mode.</para>
/// </remarks>
public static class LayerFreezing
{
    /// <summary>The stage names, deepest first, in the order the official code keeps them trainable.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["layer4", "layer3", "layer2", "layer1"];

    /// <summary>Applies the rule to the top-level children of <paramref name="backbone"/> and returns the resulting counts.</summary>
    /// <param name="backbone">A feature extractor whose children include <c>layer1</c> … <c>layer4</c>.</param>
    /// <param name="freezeLayers">k in [0, 4]: how many of the four stages, from the first, are frozen along with the stem.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="freezeLayers"/> is outside [0, 4].</exception>
    public static ParameterCounts FreezeLayers(nn.Module backbone, int freezeLayers)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (freezeLayers is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(freezeLayers), freezeLayers,
                $"freeze_layers must be in [0, 4] (0 freezes nothing, 4 freezes the stem and all of layer1–layer4); got {freezeLayers}.");
        }

        if (freezeLayers > 0)
        {
            var trainable = Stages.Take(Stages.Count - freezeLayers).ToList();
            foreach (var (name, child) in backbone.named_children())
            {
                if (!trainable.Any(stage => name.Contains(stage, StringComparison.Ordinal)))
                {
                    foreach (var parameter in child.parameters())
                    {
                        parameter.requires_grad_(false);
                    }
                }
            }
        }

        return ParameterCounts.Of(backbone);
    }
}
