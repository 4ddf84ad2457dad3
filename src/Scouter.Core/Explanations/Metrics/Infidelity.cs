// Infidelity: Yeh, Hsieh, Suggala, Inouye and Ravikumar, "On the (In)fidelity and Sensitivity of Explanations",
// NeurIPS 2019: INFD(φ, f, x) = E_I[(Iᵀφ − (f(x) − f(x − I)))²]. Their code (saliency_evaluation, get_exp_infid)
// first rescales φ by the optimal β = E[Δf·Iᵀφ] / E[(Iᵀφ)²], which makes the measure independent of the map's scale.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Infidelity (Yeh et al., NeurIPS 2019): how badly the map, read as a linear model, predicts the change of the
/// target's score under random perturbations <c>I</c>: <c>mean_s (β·Iₛᵀφ − (f(x) − f(x − Iₛ)))²</c>. The map
/// <c>φ [H, W]</c> is shared by the image's channels (<c>Iᵀφ = Σ_chw I_chw φ_hw</c>). Lower is better.
/// </summary>
public static class Infidelity
{
    /// <summary>Infidelity under Gaussian perturbations <c>I ~ N(0, σ²)</c> per input element.</summary>
    /// <param name="model">Classifier returning class scores.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">Explanations <c>[B, H, W]</c> at the image size.</param>
    /// <param name="target">What is scored.</param>
    /// <param name="samples">Perturbations per image (default 32).</param>
    /// <param name="noiseStd">σ of the perturbations in input units (default 0.2).</param>
    /// <param name="optimalScaling">Rescale φ by the optimal β first, as the authors' code does (default true).</param>
    /// <param name="seed">Seed; perturbation <c>s</c> of image <c>b</c> depends only on it and on <c>(b, s)</c>.</param>
    /// <param name="forwardBatchSize">Perturbed images per model call.</param>
    /// <param name="probabilities">f is the target's probability (default) or its raw score.</param>
    /// <returns>Infidelity per image <c>[B]</c>, float64.</returns>
    public static Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target, int samples = 32, double noiseStd = 0.2,
        bool optimalScaling = true, long seed = 0, int forwardBatchSize = 64, bool probabilities = true)
    {
        MetricChecks.Images(images, nameof(Infidelity));
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseStd);
        var shape = images.shape[1..];
        return Evaluate(model, images, maps, target, samples, (imageRows, sampleRows) =>
        {
            using var scalars = new ScalarScope();
            var keys = KeyedNoise.RowKeys(imageRows, sampleRows, samples).cpu().data<long>().ToArray();
            return KeyedNoise.Normal(seed, keys, shape, images.device).mul_(scalars.Of(noiseStd));
        }, optimalScaling, forwardBatchSize, probabilities);
    }

    /// <summary>Infidelity under given perturbations.</summary>
    /// <param name="model">Classifier returning class scores.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">Explanations <c>[B, H, W]</c>.</param>
    /// <param name="target">What is scored.</param>
    /// <param name="perturbations">Perturbations <c>I [B, S, C, H, W]</c>; the model sees <c>x − I</c>.</param>
    /// <param name="optimalScaling">Rescale φ by the optimal β first.</param>
    /// <param name="forwardBatchSize">Perturbed images per model call.</param>
    /// <param name="probabilities">f is the target's probability or its raw score.</param>
    /// <returns>Infidelity per image <c>[B]</c>, float64.</returns>
    public static Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target, Tensor perturbations,
        bool optimalScaling = true, int forwardBatchSize = 64, bool probabilities = true)
    {
        MetricChecks.Images(images, nameof(Infidelity));
        TensorChecks.Rank(perturbations, 5, nameof(Infidelity), "perturbations [B, S, C, H, W]", nameof(perturbations));
        if (perturbations.shape[0] != images.shape[0] || !perturbations.shape[2..].SequenceEqual(images.shape[1..]))
        {
            throw new ArgumentException($"{nameof(Infidelity)} expects perturbations [B, S, C, H, W] matching the images {TensorChecks.Describe(images)}; got {TensorChecks.Describe(perturbations)}.", nameof(perturbations));
        }

        return Evaluate(model, images, maps, target, perturbations.shape[1],
            (imageRows, sampleRows) => perturbations.index_select(0, imageRows).gather(1, sampleRows.view(-1, 1, 1, 1, 1).expand(-1, 1, perturbations.shape[2], perturbations.shape[3], perturbations.shape[4])).squeeze(1),
            optimalScaling, forwardBatchSize, probabilities);
    }

    private static Tensor Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target, long samples,
        Func<Tensor, Tensor, Tensor> perturbation, bool optimalScaling, int forwardBatchSize, bool probabilities)
    {
        MetricChecks.Maps(maps, nameof(Infidelity), images);
        MetricChecks.Target(target, images.shape[0], nameof(Infidelity));
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        long b = images.shape[0];
        var phi = maps.to(images.dtype);
        var dots = zeros(b * samples, dtype: ScalarType.Float64, device: images.device);

        Tensor Perturbed(Tensor imageRows, Tensor sampleRows)
        {
            var i = perturbation(imageRows, sampleRows).to(images.dtype);
            var dot = (i * phi.index_select(0, imageRows).unsqueeze(1)).sum([1L, 2L, 3L]);
            dots.index_copy_(0, KeyedNoise.RowKeys(imageRows, sampleRows, samples), dot.to(ScalarType.Float64));
            return images.index_select(0, imageRows) - i;
        }

        var perturbed = PerturbedForwardPasses.Score(model, b, samples, Perturbed, target, forwardBatchSize, probabilities, images.device).to(ScalarType.Float64);
        var clean = PerturbedForwardPasses.Score(model, b, 1, (imageRows, _) => images.index_select(0, imageRows), target, forwardBatchSize, probabilities, images.device).to(ScalarType.Float64);
        var change = clean - perturbed; // f(x) − f(x − I), [B, S]
        var predicted = dots.view(b, samples);
        if (optimalScaling)
        {
            var denominator = predicted.Squared().mean([1L], keepdim: true);
            var positive = denominator.gt(scalars.Of(0));
            var beta = where(positive, (change * predicted).mean([1L], keepdim: true) / where(positive, denominator, ones_like(denominator)), zeros_like(denominator));
            predicted = predicted * beta;
        }

        return (change - predicted).Squared().mean([1L]).MoveToOuterDisposeScope();
    }
}
