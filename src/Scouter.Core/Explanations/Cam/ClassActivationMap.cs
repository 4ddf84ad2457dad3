// CAM: Zhou et al., "Learning Deep Features for Discriminative Localization", CVPR 2016.
// For a network ending in global average pooling and one linear layer, L_c = Σ_k w_ck A_k, where w_c is the
// classifier's weight row of class c. Written from the paper; cf. torch-cam's CAM (frgfm/torch-cam).
using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Class Activation Mapping (Zhou et al., CVPR 2016): <c>L = Σ_k w_k A_k</c> with <c>w</c> the classifier's weight
/// row of the explained class (negated for "why not"). Exact for models that globally average-pool the target layer
/// and apply one linear layer, as <see cref="Modules.FcClassifierHead"/> does. Cost: one forward pass.
/// </summary>
public sealed class ClassActivationMap : ActivationCamMethod
{
    private readonly Linear classifier;

    private ClassActivationMap(nn.Module<Tensor, Tensor> model, Linear classifier, string? targetLayer, SaliencyOptions? options)
        : base(model, targetLayer, options)
    {
        this.classifier = classifier;
    }

    /// <summary>Creates CAM for a model whose linear classifier is the layer named <paramref name="classifierLayer"/>.</summary>
    /// <param name="model">The classifier, e.g. a <see cref="Modules.ScouterModel"/> with an FC head (its linear layer is <c>fc</c>).</param>
    /// <param name="classifierLayer">Name of the final <c>Linear</c> layer in <c>named_modules()</c> (default <c>fc</c>).</param>
    /// <param name="targetLayer">The layer that is pooled into the classifier; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    public static ClassActivationMap Create(nn.Module<Tensor, Tensor> model, string classifierLayer = "fc", string? targetLayer = null, SaliencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layer = model.named_modules().FirstOrDefault(m => m.name == classifierLayer).module
            ?? throw new ArgumentException($"CAM needs the model's final linear layer; the model has no layer named '{classifierLayer}'.", nameof(classifierLayer));
        if (layer is not Linear linear)
        {
            throw new ArgumentException($"CAM needs the model's final linear layer; '{classifierLayer}' is a {layer.GetType().Name}.", nameof(classifierLayer));
        }

        return new ClassActivationMap(model, linear, targetLayer, options);
    }

    /// <inheritdoc />
    public override string Name => "CAM";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    protected override Tensor ChannelWeights(CamContext context)
    {
        var weight = classifier.weight!;
        var channels = context.Activations.shape[1];
        if (weight.shape[1] != channels)
        {
            throw new InvalidOperationException(
                $"CAM: the classifier takes {weight.shape[1]} features but target layer '{TargetLayerName}' has {channels} channels ({TensorChecks.Describe(context.Activations)}); name the layer that is pooled into the classifier.");
        }

        using var scope = NewDisposeScope();
        var outputWeights = context.Target.OutputWeights(weight.shape[0], context.Activations.device);
        return outputWeights.matmul(weight.detach().to(context.Activations.dtype)).MoveToOuterDisposeScope();
    }
}
