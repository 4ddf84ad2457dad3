// Insertion and deletion games: Petsiuk, Das and Saenko, "RISE: Randomized Input Sampling for Explanation of
// Black-box Models", BMVC 2018, §4.1 (their evaluation.py CausalMetric). Pixels are changed in descending order of
// saliency, `step` pixels at a time, and the target's probability is recorded before the first and after every step.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// Insertion (IAUC: start from a blurred image and insert the image's pixels, most salient first; higher is better)
/// and deletion (DAUC: start from the image and replace pixels by a substrate, most salient first; lower is better).
/// </summary>
/// <remarks>
/// Conventions, chosen where published code is loose: with <c>HW</c> pixels and a step of <c>s</c> pixels there are
/// <c>n = ⌈HW/s⌉</c> steps and <c>n + 1</c> scores (the untouched start and the end state included); the x axis is the
/// true fraction <c>min(i·s, HW)/HW</c>, so a last, shorter step is not stretched (RISE's code spaces all points evenly);
/// the area is the trapezoid rule on that axis, already in <c>[0, 1]</c> for probabilities. Ties in saliency are broken
/// by row-major pixel order.
/// </remarks>
public static class InsertionDeletion
{
    /// <summary>RISE's blur for the insertion start: a Gaussian of σ = 5 with an 11-pixel kernel.</summary>
    public const double InsertionBlurSigma = 5;

    /// <summary>Kernel width of <see cref="InsertionBlurSigma"/>.</summary>
    public const int InsertionBlurKernel = 11;

    /// <summary>The insertion game.</summary>
    /// <param name="model">Classifier returning class scores.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">Saliency <c>[B, H, W]</c> at the image size.</param>
    /// <param name="target">What is scored.</param>
    /// <param name="start">The image the game starts from <c>[B, C, H, W]</c>; null for RISE's blurred image.</param>
    /// <param name="stepPixels">Pixels inserted per step; null for the image width (RISE uses 224 at 224×224).</param>
    /// <param name="forwardBatchSize">Perturbed images per model call.</param>
    /// <param name="probabilities">Score probabilities (default) or raw scores.</param>
    public static InsertionDeletionCurves Insertion(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target,
        Tensor? start = null, int? stepPixels = null, int forwardBatchSize = 64, bool probabilities = true)
    {
        MetricChecks.Images(images, nameof(Insertion));
        using var scope = NewDisposeScope();
        var blurred = start ?? GaussianBlur.Apply(images, InsertionBlurSigma, InsertionBlurKernel);
        return Play(model, images, maps, target, blurred, stepPixels, forwardBatchSize, probabilities, insert: true).MoveToOuterDisposeScope();
    }

    /// <summary>The deletion game.</summary>
    /// <param name="model">Classifier returning class scores.</param>
    /// <param name="images">Images <c>[B, C, H, W]</c>.</param>
    /// <param name="maps">Saliency <c>[B, H, W]</c> at the image size.</param>
    /// <param name="target">What is scored.</param>
    /// <param name="substrate">What deleted pixels become <c>[B, C, H, W]</c>; null for zeros (RISE's choice, the mean colour for normalised inputs).</param>
    /// <param name="stepPixels">Pixels deleted per step; null for the image width.</param>
    /// <param name="forwardBatchSize">Perturbed images per model call.</param>
    /// <param name="probabilities">Score probabilities (default) or raw scores.</param>
    public static InsertionDeletionCurves Deletion(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target,
        Tensor? substrate = null, int? stepPixels = null, int forwardBatchSize = 64, bool probabilities = true)
    {
        MetricChecks.Images(images, nameof(Deletion));
        using var scope = NewDisposeScope();
        var end = substrate ?? zeros_like(images);
        return Play(model, images, maps, target, end, stepPixels, forwardBatchSize, probabilities, insert: false).MoveToOuterDisposeScope();
    }

    /// <summary>Trapezoid area under curves sampled at the given fractions.</summary>
    /// <param name="scores">Curves <c>[B, n + 1]</c>.</param>
    /// <param name="fractions">Increasing x positions <c>[n + 1]</c>.</param>
    /// <returns>Areas <c>[B]</c>, float64.</returns>
    public static Tensor Auc(Tensor scores, Tensor fractions)
    {
        TensorChecks.Rank(scores, 2, nameof(Auc), "curves [B, n + 1]", nameof(scores));
        TensorChecks.Rank(fractions, 1, nameof(Auc), "x positions [n + 1]", nameof(fractions));
        if (fractions.shape[0] != scores.shape[1] || fractions.shape[0] < 2)
        {
            throw new ArgumentException($"{nameof(Auc)} expects at least two points and one x position per point; got {TensorChecks.Describe(scores)} and {TensorChecks.Describe(fractions)}.", nameof(fractions));
        }

        using var scope = NewDisposeScope();
        var y = scores.to(ScalarType.Float64);
        var x = fractions.to(ScalarType.Float64).to(scores.device);
        var n = x.shape[0];
        var widths = x.narrow(0, 1, n - 1) - x.narrow(0, 0, n - 1);
        using var scalars = new ScalarScope();
        var heights = y.narrow(1, 1, n - 1).Plus(y.narrow(1, 0, n - 1)).div(scalars.Of(2)); // trapezoids
        return (heights * widths).sum(1).MoveToOuterDisposeScope();
    }

    private static InsertionDeletionCurves Play(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, ExplanationTarget target, Tensor other,
        int? stepPixels, int forwardBatchSize, bool probabilities, bool insert)
    {
        MetricChecks.Maps(maps, insert ? nameof(Insertion) : nameof(Deletion), images);
        MetricChecks.Target(target, images.shape[0], insert ? nameof(Insertion) : nameof(Deletion));
        long b = images.shape[0], height = images.shape[2], width = images.shape[3], pixels = height * width;
        var step = stepPixels ?? (int)width;
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1, nameof(stepPixels));
        var steps = (pixels + step - 1) / step;

        // rank[b, p] = position of pixel p in descending saliency order (stable, so ties keep row-major order).
        using var scalars = new ScalarScope();
        var order = maps.reshape(b, pixels).sort(1, descending: true, stable: true).Indices;
        var rank = empty_like(order).scatter_(1, order, scalars.Range(pixels, device: maps.device).expand(b, pixels));
        var changed = scalars.Range(steps + 1, ScalarType.Int64, maps.device).mul(scalars.Of(step)).clamp_max(scalars.Of(pixels)); // pixels changed at point i

        Tensor Masks(Tensor imageRows, Tensor pointRows)
        {
            var moved = rank.index_select(0, imageRows).lt(changed.index_select(0, pointRows).unsqueeze(1)); // [N, HW]
            var keepImage = insert ? moved : moved.logical_not();
            return keepImage.to(images.dtype).view(-1, 1, height, width);
        }

        var scores = PerturbedForwardPasses.ScoreMasked(model, images, other, steps + 1, Masks, target, forwardBatchSize, probabilities);
        var fractions = changed.to(ScalarType.Float64).div(scalars.Of(pixels));
        return new InsertionDeletionCurves(scores, fractions, Auc(scores, fractions));
    }
}
