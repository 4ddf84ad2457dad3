// Automatic choice of the layer to explain, as torch-cam's locate_candidate_layer does (frgfm/torch-cam,
// torchcam/methods/_utils.py): a probing forward pass records every module's output, and the last module whose
// output is a spatial map [B, C, h, w] (h·w > 1) wins.
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>Finds and resolves the layer whose activations CAM-style methods and IBA work on.</summary>
public static class TargetLayer
{
    /// <summary>
    /// The name (as in <c>named_modules()</c>) of the last module, in the order modules finish during a forward pass of
    /// <paramref name="probe"/>, whose output is rank 4 with more than one spatial position. For a
    /// <see cref="Modules.ScouterModel"/> this is its backbone (or the backbone's last spatial layer).
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="probe">An input batch <c>[B, C, H, W]</c> (one image is enough); the model runs once on it without gradients.</param>
    /// <exception cref="InvalidOperationException">No module produces a spatial map.</exception>
    public static string Locate(nn.Module<Tensor, Tensor> model, Tensor probe)
    {
        ArgumentNullException.ThrowIfNull(model);
        TensorChecks.Rank(probe, 4, nameof(TargetLayer), "a probe batch [B, C, H, W]", nameof(probe));
        var outputs = new List<(string Name, long[] Shape)>();
        var removers = new List<Action>();
        try
        {
            foreach (var (name, module) in model.named_modules())
            {
                if (name.Length > 0 && module is nn.Module<Tensor, Tensor> layer)
                {
                    var remover = layer.register_forward_hook((_, _, output) =>
                    {
                        outputs.Add((name, output.shape));
                        return output;
                    });
                    removers.Add(() => remover.remove());
                }
            }

            using var mode = new EvalModeScope(model);
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.call(probe.narrow(0, 0, 1));
        }
        finally
        {
            removers.ForEach(remove => remove());
        }

        for (var i = outputs.Count - 1; i >= 0; i--)
        {
            var shape = outputs[i].Shape;
            if (shape.Length == 4 && shape[2] * shape[3] > 1)
            {
                return outputs[i].Name;
            }
        }

        throw new InvalidOperationException(
            $"No layer of the model produces a spatial map [B, C, h, w] with h·w > 1 for an input of size {probe.shape[2]}×{probe.shape[3]}; " +
            $"modules seen: {string.Join(", ", outputs.Select(o => $"{o.Name} [{string.Join(", ", o.Shape)}]"))}. Name the target layer explicitly.");
    }

    /// <summary>Resolves a layer by its <c>named_modules()</c> name.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="name">The layer's name, e.g. <c>backbone</c> or <c>backbone.7</c>.</param>
    /// <exception cref="ArgumentException">No such layer, or it is not a <c>Module&lt;Tensor, Tensor&gt;</c>.</exception>
    public static nn.Module<Tensor, Tensor> Resolve(nn.Module<Tensor, Tensor> model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var modules = model.named_modules().Where(m => m.name.Length > 0).ToList();
        var match = modules.FirstOrDefault(m => m.name == name);
        if (match.module is null)
        {
            throw new ArgumentException($"The model has no layer named '{name}'. Layers: {string.Join(", ", modules.Select(m => m.name).Take(40))}{(modules.Count > 40 ? ", …" : "")}.", nameof(name));
        }

        return match.module as nn.Module<Tensor, Tensor>
            ?? throw new ArgumentException($"Layer '{name}' is a {match.module.GetType().Name}, not a Module<Tensor, Tensor>; hooks need a layer mapping one tensor to one tensor.", nameof(name));
    }
}
