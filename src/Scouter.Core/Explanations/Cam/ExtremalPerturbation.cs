// Extremal Perturbation: Fong, Patrick and Vedaldi, "Understanding Deep Networks via Extremal Perturbations and
// Smooth Masks", ICCV 2019 (TorchRay's extremal_perturbation, "preserve" variant). A smooth mask m of prescribed area
// a is optimised to maximise the target's score on x ⊙ m + blur(x) ⊙ (1 − m); the area is imposed by the ranking
// regulariser ‖sort(m) − r_a‖², r_a the sorted vector with a fraction a of ones.
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Extremal Perturbation (Fong et al., ICCV 2019), "preserve" variant: the mask of area <c>a</c> whose kept region
/// alone (the rest blurred) maximises the target's score. Cost: <c>iterations</c> forward and backward passes.
/// </summary>
/// <remarks>
/// Simplified from TorchRay: the mask is a low-resolution grid upsampled bilinearly (instead of the smooth-max
/// kernel), the perturbation is one Gaussian blur (instead of a blur pyramid), the area weight grows linearly from 0
/// to λ (instead of geometrically) and the optimiser is Adam. The map is the optimised mask.
/// </remarks>
public sealed class ExtremalPerturbation : SaliencyMethod
{
    private readonly double area;
    private readonly int iterations;
    private readonly int maskStride;
    private readonly double blurSigma;
    private readonly double learningRate;
    private readonly double areaWeight;

    private ExtremalPerturbation(nn.Module<Tensor, Tensor> model, double area, int iterations, int maskStride, double blurSigma, double learningRate, double areaWeight, SaliencyOptions? options)
        : base(model, options)
    {
        this.area = area;
        this.iterations = iterations;
        this.maskStride = maskStride;
        this.blurSigma = blurSigma;
        this.learningRate = learningRate;
        this.areaWeight = areaWeight;
    }

    /// <summary>Creates Extremal Perturbation.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="area">Fraction <c>a</c> of the image the mask keeps (default 0.1).</param>
    /// <param name="iterations">Optimisation steps (default 100; TorchRay uses 800).</param>
    /// <param name="maskStride">Input pixels per mask cell (default 8).</param>
    /// <param name="blurSigma">σ of the blur that replaces the deleted region, in pixels (default 10).</param>
    /// <param name="learningRate">Adam step size on the mask (default 0.05).</param>
    /// <param name="areaWeight">Final weight λ of the area regulariser (default 300).</param>
    /// <param name="options">Shared settings.</param>
    public static ExtremalPerturbation Create(nn.Module<Tensor, Tensor> model, double area = 0.1, int iterations = 100, int maskStride = 8,
        double blurSigma = 10, double learningRate = 0.05, double areaWeight = 300, SaliencyOptions? options = null)
    {
        if (!(area > 0 && area < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(area), area, "The mask area is a fraction of the image in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maskStride, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blurSigma);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(areaWeight);
        return new ExtremalPerturbation(model, area, iterations, maskStride, blurSigma, learningRate, areaWeight, options);
    }

    /// <inheritdoc />
    public override string Name => "Extremal Perturbation";

    /// <inheritdoc />
    protected override Tensor Compute(Tensor images, ExplanationTarget target, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], height = images.shape[2], width = images.shape[3];
        long maskH = (height + maskStride - 1) / maskStride, maskW = (width + maskStride - 1) / maskStride;
        var blurred = GaussianBlur.Apply(images, blurSigma);

        // r_a: the sorted (ascending) mask an ideal solution has — zeros, then a fraction a of ones.
        var pixels = height * width;
        var ones = (long)Math.Round(area * pixels);
        var reference = cat([zeros(pixels - ones, device: images.device), torch.ones(ones, device: images.device)]);

        // Numbers reach TorchSharp as scalars of this scope (see ScalarScope): the loop runs a hundred times per call.
        using var scalars = new ScalarScope();
        var zero = scalars.Of(0);
        var difference = images - blurred;
        var mask = full(b, 1, maskH, maskW, scalars.Of(0.5), device: images.device);
        using var adam = new AdamStep(mask, learningRate);
        using var grad = enable_grad();
        for (var t = 0; t < iterations; t++)
        {
            using var step = NewDisposeScope();
            var variable = mask.detach().requires_grad_(true);
            var up = ExplanationMaps.Upsample(variable, height, width);
            var perturbed = blurred.Plus(difference.mul(up)); // x ⊙ m + blur(x) ⊙ (1 − m)
            var score = target.Score(Model.call(perturbed));
            var sorted = up.view(b, -1).sort(1).Values;
            var areaLoss = (sorted - reference).Squared().mean([1L]);
            // The area weight grows from 0 to λ: the first steps follow the score alone, so the ranking
            // regulariser, arbitrary among the equal values of the initial mask, does not pick the region.
            var weight = iterations == 1 ? areaWeight : areaWeight * t / (iterations - 1);
            var loss = (areaLoss.mul(scalars.Of(weight)) - score).sum();
            var gradient = autograd.grad([loss], [variable])[0];
            adam.Apply(mask, gradient);
            using (no_grad())
            {
                mask.clamp_(zero, ScalarScope.One);
            }
        }

        return mask.squeeze(1).MoveToOuterDisposeScope();
    }
}
