// Grad-CAM: Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization",
// ICCV 2017. Channel weights are the spatially averaged gradients of the score, w_k = mean_ij ∂y/∂A_k(i,j).
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Grad-CAM (Selvaraju et al., ICCV 2017): <c>L = Σ_k w_k A_k</c> with <c>w_k</c> the mean over positions of
/// <c>∂score/∂A_k</c>. For global-average-pooling + linear models it equals CAM divided by <c>h·w</c>.
/// Cost: one forward and one backward pass.
/// </summary>
public sealed class GradCam : ActivationCamMethod
{
    private GradCam(nn.Module<Tensor, Tensor> model, string? targetLayer, SaliencyOptions? options) : base(model, targetLayer, options)
    {
    }

    /// <summary>Creates Grad-CAM.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    public static GradCam Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, SaliencyOptions? options = null) => new(model, targetLayer, options);

    /// <inheritdoc />
    public override string Name => "Grad-CAM";

    /// <inheritdoc />
    protected override Tensor ChannelWeights(CamContext context) => context.RequireGradients().mean([2L, 3L]);
}
