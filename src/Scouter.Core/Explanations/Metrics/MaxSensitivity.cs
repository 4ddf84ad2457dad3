// Max-sensitivity: Yeh et al., "On the (In)fidelity and Sensitivity of Explanations", NeurIPS 2019:
// SENS_max(φ, x) = max_{‖δ‖∞ ≤ r} ‖φ(x + δ) − φ(x)‖ / ‖φ(x)‖, estimated with random δ ~ U[−r, r].
// Their code (get_exp_sens) divides the running maximum by ‖φ(x)‖ inside the sampling loop, so the norm is
// applied again at every sample; here it is applied once, to the maximum.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Max-sensitivity (Yeh et al., NeurIPS 2019): the largest relative change of the explanation under small uniform
/// input noise, <c>max_s ‖φ(x + δ_s) − φ(x)‖_F / ‖φ(x)‖_F</c>, <c>δ_s ~ U[−r, r]</c> per input element. Lower is better.
/// An all-zero explanation gives NaN (the ratio is undefined).
/// </summary>
public static class MaxSensitivity
{
    /// <summary>Max-sensitivity with random uniform perturbations.</summary>
    /// <param name="explain">The explanation method: images <c>[B, C, H, W]</c> → maps <c>[B, H, W]</c>.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">The explanations of <paramref name="images"/>, <c>[B, H, W]</c>; null to compute them.</param>
    /// <param name="samples">Perturbations per image (default 8).</param>
    /// <param name="radius">Half-width <c>r</c> of the uniform noise in input units (default 0.2, as in the SCOUTER paper).</param>
    /// <param name="seed">Seed; perturbation <c>s</c> of image <c>b</c> depends only on it and on <c>(b, s)</c>.</param>
    /// <returns>Max-sensitivity per image <c>[B]</c>, float64.</returns>
    public static Tensor Compute(Func<Tensor, Tensor> explain, Tensor images, Tensor? maps = null, int samples = 8, double radius = 0.2, long seed = 0)
    {
        MetricChecks.Images(images, nameof(MaxSensitivity));
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        var shape = images.shape[1..];
        long b = images.shape[0];
        return Evaluate(explain, images, maps, samples, s =>
        {
            using var scalars = new ScalarScope();
            var keys = Enumerable.Range(0, (int)b).Select(i => (long)i * samples + s).ToArray();
            return KeyedNoise.Uniform(seed, keys, shape, images.device).mul_(scalars.Of(2 * radius)).sub_(scalars.Of(radius)); // U[−r, r]
        });
    }

    /// <summary>Max-sensitivity under given perturbations.</summary>
    /// <param name="explain">The explanation method: images → maps <c>[B, H, W]</c>.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">The explanations of <paramref name="images"/>; null to compute them.</param>
    /// <param name="perturbations">δ <c>[B, S, C, H, W]</c>; the method sees <c>x + δ</c>.</param>
    /// <returns>Max-sensitivity per image <c>[B]</c>, float64.</returns>
    public static Tensor Compute(Func<Tensor, Tensor> explain, Tensor images, Tensor? maps, Tensor perturbations)
    {
        MetricChecks.Images(images, nameof(MaxSensitivity));
        TensorChecks.Rank(perturbations, 5, nameof(MaxSensitivity), "perturbations [B, S, C, H, W]", nameof(perturbations));
        if (perturbations.shape[0] != images.shape[0] || !perturbations.shape[2..].SequenceEqual(images.shape[1..]))
        {
            throw new ArgumentException($"{nameof(MaxSensitivity)} expects perturbations [B, S, C, H, W] matching the images {TensorChecks.Describe(images)}; got {TensorChecks.Describe(perturbations)}.", nameof(perturbations));
        }

        return Evaluate(explain, images, maps, (int)perturbations.shape[1], s => perturbations.select(1, s).to(images.dtype));
    }

    private static Tensor Evaluate(Func<Tensor, Tensor> explain, Tensor images, Tensor? maps, int samples, Func<int, Tensor> perturbation)
    {
        ArgumentNullException.ThrowIfNull(explain);
        using var scope = NewDisposeScope();
        var reference = (maps ?? explain(images)).to(ScalarType.Float64);
        MetricChecks.Maps(reference, nameof(MaxSensitivity));
        if (reference.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"{nameof(MaxSensitivity)} expects one map per image ({images.shape[0]}); got {TensorChecks.Describe(reference)}.", nameof(maps));
        }

        using var scalars = new ScalarScope();
        var largest = zeros(images.shape[0], dtype: ScalarType.Float64, device: images.device);
        for (var s = 0; s < samples; s++)
        {
            using var step = NewDisposeScope();
            var moved = explain(images.Plus(perturbation(s))).to(ScalarType.Float64);
            if (!moved.shape.SequenceEqual(reference.shape))
            {
                throw new InvalidOperationException($"{nameof(MaxSensitivity)}: the explanation of perturbed images has shape [{string.Join(", ", moved.shape)}], the original [{string.Join(", ", reference.shape)}].");
            }

            largest = maximum(largest, ((moved - reference).flatten(1)).Squared().sum(1).sqrt()).MoveToOuterDisposeScope();
        }

        var norm = reference.flatten(1).Squared().sum(1).sqrt();
        return where(norm.gt(scalars.Of(0)), largest / norm, full_like(norm, scalars.Of(double.NaN))).MoveToOuterDisposeScope();
    }
}
