// SS-CAM: Wang et al., "SS-CAM: Smoothed Score-CAM for Sharper Visual Feature Localization", 2020. As in torch-cam's
// SSCAM: each sample adds Gaussian noise N(0, σ²) of the input's shape to every channel mask, and the weights are
// averaged over samples. Defaults (35 samples, σ = 2) are torch-cam's.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// SS-CAM (Wang et al., 2020): <c>w_k = (1/S) Σ_s p(x ⊙ (M_k + δ_s))</c>, <c>δ_s ~ N(0, σ²)</c> of the input's shape,
/// one draw per image and sample shared by all channels. Cost: <c>K·S</c> forward passes per image.
/// </summary>
public sealed class SsCam : ScoreCam
{
    private readonly int samples;
    private readonly double noiseStd;
    private long baseSeed;

    private SsCam(nn.Module<Tensor, Tensor> model, string? targetLayer, int samples, double noiseStd, SaliencyOptions? options) : base(model, targetLayer, options)
    {
        this.samples = samples;
        this.noiseStd = noiseStd;
    }

    /// <summary>Creates SS-CAM.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="samples">Noise samples <c>S</c> (default 35).</param>
    /// <param name="noiseStd">Standard deviation σ of the mask noise (default 2).</param>
    /// <param name="options">Shared settings (the seed drives the noise).</param>
    public static SsCam Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, int samples = 35, double noiseStd = 2.0, SaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseStd);
        return new SsCam(model, targetLayer, samples, noiseStd, options);
    }

    /// <inheritdoc />
    public override string Name => "SS-CAM";

    /// <inheritdoc />
    protected override int Samples => samples;

    /// <inheritdoc />
    protected override void BeginSampling(CamContext context)
    {
        // One seed per chunk from the call's generator; each (image, sample) pair then draws its own noise from a
        // generator seeded by it, so the noise does not depend on how rows are split into forward batches.
        using var draw = randint(long.MaxValue / 4, [1], generator: context.Generator);
        baseSeed = draw.item<long>();
    }

    /// <inheritdoc />
    protected override Tensor SampleMasks(Tensor masks, Tensor images, Tensor samples, CamContext context)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var keys = KeyedNoise.RowKeys(images, samples, this.samples).cpu().data<long>().ToArray();
        var noise = KeyedNoise.Normal(baseSeed, keys, context.Images.shape[1..], masks.device).mul_(scalars.Of(noiseStd));
        return masks.Plus(noise).MoveToOuterDisposeScope();
    }
}
