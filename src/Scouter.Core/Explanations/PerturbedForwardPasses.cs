// The one batched helper behind every perturbation method and metric (Score-CAM, SS-CAM, IS-CAM, RISE, insertion,
// deletion, infidelity): many forward passes of perturbed copies of the same images, chunked to bound memory.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// Runs a model on many perturbed copies of each image of a batch and returns the target's score for every copy.
/// Copies are enumerated as rows <c>(image b, perturbation k)</c>, <c>k = 0..K−1</c>, image-major, and evaluated
/// <c>forwardBatchSize</c> rows per model call, without gradients and in evaluation mode.
/// </summary>
internal static class PerturbedForwardPasses
{
    /// <summary>
    /// Scores inputs built chunk by chunk: <paramref name="inputs"/> receives the image index and perturbation index
    /// of each row of the chunk and returns the model inputs for those rows.
    /// </summary>
    /// <param name="model">A model returning class scores <c>[N, n]</c>.</param>
    /// <param name="imageCount">Number of images <c>B</c>.</param>
    /// <param name="perImage">Perturbations per image <c>K</c>.</param>
    /// <param name="inputs">Builds the inputs <c>[N, C, H, W]</c> of a chunk from its image indices <c>[N]</c> and
    /// perturbation indices <c>[N]</c> (int64). Chunks arrive in row order.</param>
    /// <param name="target">What to score; its images are the <c>B</c> images.</param>
    /// <param name="forwardBatchSize">Rows per model call (≥ 1).</param>
    /// <param name="probabilities">Score with <see cref="ExplanationTarget.Probability(Tensor, Tensor)"/> (true) or
    /// <see cref="ExplanationTarget.Score(Tensor, Tensor)"/> (false).</param>
    /// <param name="device">Device of the index tensors (the images' device).</param>
    /// <returns>Scores <c>[B, K]</c>, float32.</returns>
    public static Tensor Score(nn.Module<Tensor, Tensor> model, long imageCount, long perImage, Func<Tensor, Tensor, Tensor> inputs,
        ExplanationTarget target, int forwardBatchSize, bool probabilities, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perImage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(forwardBatchSize, 1);
        if (target.Count != imageCount)
        {
            throw new ArgumentException($"The target describes {target.Count} images; the batch has {imageCount}.", nameof(target));
        }

        using var mode = new EvalModeScope(model);
        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        var total = imageCount * perImage;
        var result = empty(total, dtype: ScalarType.Float32, device: device);
        for (long start = 0; start < total; start += forwardBatchSize)
        {
            using var scope = NewDisposeScope();
            using var scalars = new ScalarScope();
            var rows = arange(scalars.Of(start), scalars.Of(Math.Min(start + forwardBatchSize, total)), scalars.Of(1L), dtype: ScalarType.Int64, device: device);
            var images = rows.div(scalars.Of(perImage), rounding_mode: RoundingMode.floor);
            var perturbations = rows.remainder(scalars.Of(perImage));
            var batch = inputs(images, perturbations);
            TensorChecks.Rank(batch, 4, nameof(PerturbedForwardPasses), $"inputs [N = {rows.shape[0]}, C, H, W] for a chunk", nameof(inputs));
            if (batch.shape[0] != rows.shape[0])
            {
                throw new ArgumentException($"{nameof(PerturbedForwardPasses)} asked for {rows.shape[0]} inputs and got {TensorChecks.Describe(batch)}.", nameof(inputs));
            }

            var outputs = model.call(batch);
            var scores = probabilities ? target.Probability(outputs, images) : target.Score(outputs, images);
            result.index_copy_(0, rows, scores.to(ScalarType.Float32));
        }

        return result.view(imageCount, perImage).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Scores masked copies <c>x_b ⊙ m + base_b ⊙ (1 − m)</c> of each image: mask 1 keeps the image, mask 0 shows
    /// the baseline.
    /// </summary>
    /// <param name="model">A model returning class scores <c>[N, n]</c>.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="baselines">What masked-out pixels show, <c>[B, C, H, W]</c>; null for zeros.</param>
    /// <param name="masksPerImage">Masks per image <c>K</c>.</param>
    /// <param name="masks">Builds the masks <c>[N, 1 or C, H, W]</c> of a chunk from its image and mask indices.</param>
    /// <param name="target">What to score.</param>
    /// <param name="forwardBatchSize">Rows per model call.</param>
    /// <param name="probabilities">Score probabilities (true) or raw scores (false).</param>
    /// <returns>Scores <c>[B, K]</c>, float32.</returns>
    public static Tensor ScoreMasked(nn.Module<Tensor, Tensor> model, Tensor images, Tensor? baselines, long masksPerImage,
        Func<Tensor, Tensor, Tensor> masks, ExplanationTarget target, int forwardBatchSize, bool probabilities = true)
    {
        TensorChecks.Rank(images, 4, nameof(PerturbedForwardPasses), "images [B, C, H, W]", nameof(images));
        TensorChecks.FloatingPoint(images, nameof(PerturbedForwardPasses), nameof(images));
        if (baselines is not null && !baselines.shape.SequenceEqual(images.shape))
        {
            throw new ArgumentException($"{nameof(PerturbedForwardPasses)} expects baselines shaped like the images {TensorChecks.Describe(images)}; got {TensorChecks.Describe(baselines)}.", nameof(baselines));
        }

        ArgumentNullException.ThrowIfNull(masks);
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];

        Tensor Build(Tensor imageRows, Tensor maskRows)
        {
            var m = masks(imageRows, maskRows);
            TensorChecks.Rank(m, 4, nameof(PerturbedForwardPasses), $"masks [N, 1 or {c}, {h}, {w}]", nameof(masks));
            if (m.shape[0] != imageRows.shape[0] || (m.shape[1] != 1 && m.shape[1] != c) || m.shape[2] != h || m.shape[3] != w)
            {
                throw new ArgumentException($"{nameof(PerturbedForwardPasses)} expects masks [N = {imageRows.shape[0]}, 1 or {c}, {h}, {w}] for a chunk; got {TensorChecks.Describe(m)}.", nameof(masks));
            }

            var x = images.index_select(0, imageRows);
            if (baselines is null)
            {
                return x * m;
            }

            var b = baselines.index_select(0, imageRows);
            return b.Plus(x.sub(b).mul(m)); // b + (x − b)·m
        }

        return Score(model, images.shape[0], masksPerImage, Build, target, forwardBatchSize, probabilities, images.device);
    }
}
