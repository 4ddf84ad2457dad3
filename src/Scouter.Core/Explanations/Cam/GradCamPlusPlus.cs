// Grad-CAM++: Chattopadhay et al., "Grad-CAM++: Generalized Gradient-based Visual Explanations for Deep
// Convolutional Networks", WACV 2018, eq. 19 with the exponential-score simplification (higher derivatives are
// powers of the first), as pytorch-grad-cam's grad_cam_plusplus.py also computes it.
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al., WACV 2018): <c>w_k = Σ_ij α_k(i,j)·ReLU(g_k(i,j))</c> with
/// <c>α = g² / (2g² + Σ_ab A_k(a,b) · g³)</c>, <c>g = ∂score/∂A</c> (α = 0 where g = 0).
/// Cost: one forward and one backward pass.
/// </summary>
public class GradCamPlusPlus : ActivationCamMethod
{
    private const double Epsilon = 1e-7;

    /// <summary>Initialises the method (for <see cref="SmoothGradCamPlusPlus"/>).</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    protected GradCamPlusPlus(nn.Module<Tensor, Tensor> model, string? targetLayer, SaliencyOptions? options) : base(model, targetLayer, options)
    {
    }

    /// <summary>Creates Grad-CAM++.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    public static GradCamPlusPlus Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, SaliencyOptions? options = null) => new(model, targetLayer, options);

    /// <inheritdoc />
    public override string Name => "Grad-CAM++";

    /// <inheritdoc />
    protected override Tensor ChannelWeights(CamContext context)
    {
        using var scope = NewDisposeScope();
        var g = context.RequireGradients();
        var g2 = g.Squared();
        return PlusPlusWeights(context.Activations, g, g2, g2 * g).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Grad-CAM++ weights from the first derivative and the (possibly averaged) second and third powers.
    /// </summary>
    /// <param name="activations"><c>A [b, K, h, w]</c>.</param>
    /// <param name="first"><c>g</c> or its mean over samples.</param>
    /// <param name="second"><c>g²</c> or its mean.</param>
    /// <param name="third"><c>g³</c> or its mean.</param>
    /// <returns>Weights <c>[b, K]</c>.</returns>
    protected static Tensor PlusPlusWeights(Tensor activations, Tensor first, Tensor second, Tensor third)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var activationSums = activations.sum([2L, 3L], keepdim: true);
        // α = g² / (2·g² + ΣA·g³ + ε), with scalars of our own (see ScalarScope)
        var denominator = second.mul(scalars.Of(2)).Plus(activationSums * third).Plus(scalars.Of(Epsilon));
        var alpha = second / denominator;
        alpha = where(second.ne(scalars.Of(0)), alpha, zeros_like(alpha));
        return (alpha * nn.functional.relu(first)).sum([2L, 3L]).MoveToOuterDisposeScope();
    }
}
