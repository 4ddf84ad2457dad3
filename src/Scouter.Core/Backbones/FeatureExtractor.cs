using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// Cuts a classifier before its pooling layer. TorchSharp models such as TorchVision's <c>ResNet</c> keep their
/// layers in private fields, so their head can be neither replaced nor skipped; their registered children, however,
/// are the very modules the model runs, in order.
/// </summary>
public static class FeatureExtractor
{
    /// <summary>
    /// A <see cref="Sequential"/> of <paramref name="model"/>'s top-level children that come before the child named
    /// <paramref name="stopAt"/>, under their own names: it shares the model's modules and parameters, and its
    /// state-dict keys are the model's (<c>conv1.weight</c>, <c>layer1.0.conv1.weight</c>, …) minus the head's.
    /// </summary>
    /// <param name="model">A model whose children, run in registration order, are its forward pass up to <paramref name="stopAt"/>
    /// (true of TorchVision's ResNets and of <see cref="ResNeSt"/>).</param>
    /// <param name="stopAt">The first child left out: <c>avgpool</c> for TorchVision, <c>global_pool</c> for timm-style models.</param>
    /// <param name="replacements">Children to swap in under the same name (for example a different <c>conv1</c>); every name must exist.</param>
    /// <exception cref="ArgumentException">No child is named <paramref name="stopAt"/> or a replaced name, or a child
    /// before it does not map one tensor to one tensor.</exception>
    public static Sequential ChildrenBefore(nn.Module model, string stopAt, IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>>? replacements = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(stopAt);

        var children = model.named_children().ToList();
        var names = children.Select(c => c.name).ToList();
        var stop = names.IndexOf(stopAt);
        if (stop < 0)
        {
            throw new ArgumentException($"{model.GetName()} has no child named '{stopAt}' to stop at; its children are: {string.Join(", ", names)}.", nameof(stopAt));
        }

        var kept = new List<(string, nn.Module<Tensor, Tensor>)>(stop);
        foreach (var (name, child) in children.Take(stop))
        {
            if (replacements is not null && replacements.TryGetValue(name, out var replacement))
            {
                kept.Add((name, replacement));
            }
            else if (child is nn.Module<Tensor, Tensor> layer)
            {
                kept.Add((name, layer));
            }
            else
            {
                throw new ArgumentException($"Child '{name}' of {model.GetName()} is a {child.GetType().Name}, not a Module<Tensor, Tensor>, so it cannot be chained.", nameof(model));
            }
        }

        var unknown = replacements?.Keys.Where(k => !names.Take(stop).Contains(k)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Cannot replace {string.Join(", ", unknown)}: the children before '{stopAt}' are {string.Join(", ", names.Take(stop))}.", nameof(replacements));
        }

        return nn.Sequential(kept);
    }
}
