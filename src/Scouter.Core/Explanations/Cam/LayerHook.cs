using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// One forward hook on the target layer that can capture the layer's output (still attached to the autograd graph,
/// so gradients with respect to it can be taken) or replace it (IBA's bottleneck). The layer is chosen on first
/// use, by name or by <see cref="TargetLayer.Locate"/>. Disposing removes the hook.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 hooks fire only when the layer is invoked with <c>call()</c>, and a captured output may be
/// disposed by the dispose scope of the module that produced it, so the capture keeps an alias detached from that
/// scope and hands it to the caller's scope.
/// </remarks>
internal sealed class LayerHook : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private Action? remove;
    private Tensor? captured;
    private bool capturing;

    public LayerHook(nn.Module<Tensor, Tensor> model, string? layerName)
    {
        this.model = model;
        if (layerName is not null)
        {
            Attach(layerName);
        }
    }

    /// <summary>The resolved layer name; null until the first call when the layer is located automatically.</summary>
    public string? LayerName { get; private set; }

    /// <summary>When set, the hook replaces the layer's output with this function's result.</summary>
    public Func<Tensor, Tensor>? Replacement { get; set; }

    /// <summary>Makes sure the hook is attached, locating the layer with <paramref name="probe"/> if needed.</summary>
    public void EnsureAttached(Tensor probe)
    {
        if (LayerName is null)
        {
            Attach(TargetLayer.Locate(model, probe));
        }
    }

    /// <summary>Runs the model and returns its output and the target layer's output of this pass.</summary>
    public (Tensor Output, Tensor Activations) ForwardCapturing(Tensor images)
    {
        EnsureAttached(images);
        captured?.Dispose();
        captured = null;
        capturing = true;
        Tensor output;
        try
        {
            output = model.call(images);
        }
        finally
        {
            capturing = false;
        }

        var activations = captured ?? throw new InvalidOperationException(
            $"The target layer '{LayerName}' did not run during the forward pass. Hooks fire only for layers the model invokes with call(); name another layer.");
        captured = null;
        if (activations.dim() != 4)
        {
            activations.Dispose();
            throw new InvalidOperationException($"The target layer '{LayerName}' produced {TensorChecks.Describe(activations)}; CAM-style methods need a spatial map [B, C, h, w].");
        }

        CurrentDisposeScope?.Attach(activations);
        return (output, activations);
    }

    public void Dispose()
    {
        remove?.Invoke();
        remove = null;
        captured?.Dispose();
        captured = null;
    }

    private void Attach(string name)
    {
        var layer = TargetLayer.Resolve(model, name);
        var remover = layer.register_forward_hook((_, _, output) =>
        {
            if (Replacement is { } replace)
            {
                output = replace(output);
            }

            if (capturing && captured is null)
            {
                captured = output.alias().DetachFromDisposeScope();
            }

            return output;
        });
        remove = () => remover.remove();
        LayerName = name;
    }
}
