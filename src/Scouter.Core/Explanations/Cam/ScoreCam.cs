// Score-CAM: Wang et al., "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks",
// CVPRW 2020. As in torch-cam's ScoreCAM (the implementation the official SCOUTER comparison used), each activation
// channel is min–max normalised, upsampled to the input and used as a mask x ⊙ M_k, and the channel's weight is the
// target's softmax probability on the masked input.
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Score-CAM (Wang et al., CVPRW 2020): <c>w_k = p(x ⊙ M_k)</c>, where <c>M_k</c> is channel <c>k</c> of the target
/// layer, min–max normalised and bilinearly upsampled, and <c>p</c> the target's probability.
/// Cost: one forward pass per channel (<c>K</c>) and per sample for the smoothed variants, in chunks of
/// <see cref="SaliencyOptions.ForwardBatchSize"/>.
/// </summary>
/// <remarks>
/// <see cref="SsCam"/> and <see cref="IsCam"/> change only how each channel's mask is varied over samples.
/// The paper's "increase of confidence" subtracts the baseline's score; like torch-cam this omits the constant,
/// which does not change the normalised map.
/// </remarks>
public class ScoreCam : ActivationCamMethod
{
    /// <summary>Initialises the method.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    protected ScoreCam(nn.Module<Tensor, Tensor> model, string? targetLayer, SaliencyOptions? options) : base(model, targetLayer, options)
    {
    }

    /// <summary>Creates Score-CAM.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="options">Shared settings.</param>
    public static ScoreCam Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, SaliencyOptions? options = null) => new(model, targetLayer, options);

    /// <inheritdoc />
    public override string Name => "Score-CAM";

    /// <inheritdoc />
    protected sealed override bool UsesGradients => false;

    /// <summary>Samples per channel (1 for Score-CAM).</summary>
    protected virtual int Samples => 1;

    /// <summary>Prepares the per-image randomness of one chunk of images before its masks are built.</summary>
    /// <param name="context">The chunk.</param>
    protected virtual void BeginSampling(CamContext context)
    {
    }

    /// <summary>The masks of sample <paramref name="samples"/>[i] for channel masks <paramref name="masks"/>[i].</summary>
    /// <param name="masks">Normalised, upsampled channel masks <c>[N, 1, H, W]</c>.</param>
    /// <param name="images">Image index of each row <c>[N]</c>.</param>
    /// <param name="samples">Sample index of each row <c>[N]</c>.</param>
    /// <param name="context">The chunk.</param>
    /// <returns>Masks <c>[N, 1 or C, H, W]</c> applied as <c>x ⊙ mask</c>.</returns>
    protected virtual Tensor SampleMasks(Tensor masks, Tensor images, Tensor samples, CamContext context) => masks.alias();

    /// <inheritdoc />
    protected sealed override Tensor ChannelWeights(CamContext context)
    {
        using var scope = NewDisposeScope();
        var activations = context.Activations;
        long b = activations.shape[0], k = activations.shape[1], height = context.Images.shape[2], width = context.Images.shape[3];
        var normalized = ExplanationMaps.NormalizePerClass(activations); // each channel on its own
        BeginSampling(context);

        using var scalars = new ScalarScope();
        var channels = scalars.Of(k);

        Tensor Masks(Tensor imageRows, Tensor maskRows)
        {
            var channel = maskRows.remainder(channels);
            var sample = maskRows.div(channels, rounding_mode: RoundingMode.floor);
            var low = normalized.index_select(0, imageRows).gather(1, channel.view(-1, 1, 1, 1).expand(-1, 1, normalized.shape[2], normalized.shape[3]));
            var up = ExplanationMaps.Upsample(low, height, width);
            return SampleMasks(up, imageRows, sample, context);
        }

        var scores = PerturbedForwardPasses.ScoreMasked(Model, context.Images, null, k * Samples, Masks, context.Target, Options.ForwardBatchSize);
        return scores.view(b, Samples, k).mean([1L]).MoveToOuterDisposeScope();
    }
}
