// The CAM family's shared core, after pytorch-grad-cam's BaseCAM.get_cam_image: a map is a weighted sum of the
// target layer's activation channels, L = Σ_k w_k A_k, and each method supplies only the weights w_k.
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Base of the CAM family (CAM, Grad-CAM, Grad-CAM++, Smooth Grad-CAM++, Score-CAM, SS-CAM, IS-CAM): it captures the
/// target layer's activations <c>A [B, K, h, w]</c> with a forward hook, gets <c>∂score/∂A</c> when the method
/// needs it, and returns <c>Σ_k w_k A_k</c> for the method's channel weights.
/// </summary>
public abstract class ActivationCamMethod : SaliencyMethod
{
    private readonly LayerHook hook;

    /// <summary>Places the hook on the target layer (or on the layer found automatically at the first call).</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Name of the layer in <c>named_modules()</c>; null to take the last layer with a spatial output.</param>
    /// <param name="options">Shared settings.</param>
    protected ActivationCamMethod(nn.Module<Tensor, Tensor> model, string? targetLayer, SaliencyOptions? options) : base(model, options)
    {
        hook = new LayerHook(model, targetLayer);
    }

    /// <summary>The target layer's name; null until the first call when it is found automatically.</summary>
    public string? TargetLayerName => hook.LayerName;

    /// <summary>Whether <see cref="ChannelWeights"/> reads <see cref="CamContext.Gradients"/> (default true).</summary>
    protected virtual bool UsesGradients => true;

    /// <summary>The channel weights <c>w [b, K]</c> for the captured activations.</summary>
    /// <param name="context">Images, target, activations and (if used) gradients of this chunk.</param>
    protected abstract Tensor ChannelWeights(CamContext context);

    /// <inheritdoc />
    protected sealed override Tensor Compute(Tensor images, ExplanationTarget target, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor activations;
        Tensor? gradients = null;
        if (UsesGradients)
        {
            (activations, gradients) = ActivationsAndGradients(images, target);
        }
        else
        {
            using var noGrad = no_grad();
            (_, activations) = hook.ForwardCapturing(images);
        }

        var context = new CamContext(images, target, activations.detach(), gradients, generator, this);
        var weights = ChannelWeights(context);
        var map = (weights.unsqueeze(-1).unsqueeze(-1) * context.Activations).sum(1);
        return map.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One forward and backward pass: the target layer's activations and the gradients of the target's score with
    /// respect to them, <c>∂score_b/∂A_b</c>, both <c>[b, K, h, w]</c> and detached. Parameter gradients are untouched.
    /// </summary>
    /// <param name="images">Model inputs.</param>
    /// <param name="target">What to differentiate.</param>
    protected (Tensor Activations, Tensor Gradients) ActivationsAndGradients(Tensor images, ExplanationTarget target)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();

        // An input that requires grad keeps the layer in the graph even when every parameter is frozen.
        var input = images.detach().requires_grad_(true);
        var (output, activations) = hook.ForwardCapturing(input);
        var score = target.Score(output).sum();
        var gradients = autograd.grad([score], [activations])[0];
        return (activations.detach().MoveToOuterDisposeScope(), gradients.detach().MoveToOuterDisposeScope());
    }

    /// <summary>The target layer's activations of a forward pass without gradients, <c>[b, K, h, w]</c>.</summary>
    /// <param name="images">Model inputs.</param>
    protected Tensor Activations(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (_, activations) = hook.ForwardCapturing(images);
        return activations.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hook.Dispose();
        }

        base.Dispose(disposing);
    }
}
