// I-GOS: Qi, Khorram and Li, "Visualizing Deep Networks by Optimizing with Integrated Gradients", AAAI 2020
// (official code: Integrated_Mask in I-GOS's IGOS.py, also shipped in the SCOUTER repository as torchcam/IGOS.py).
// A deletion mask M (1 keeps the image, 0 shows a blurred baseline) minimises
//   p(x ⊙ M + x̃ ⊙ (1 − M)) + λ₁·mean|1 − M| + λ₂·TV(M),
// descending along the integrated gradient (the mean of the gradients along M·i/N, i = 1..N, with input noise) and
// choosing the step by a backtracking (Armijo) line search. The map is 1 − M.
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// I-GOS (Qi et al., AAAI 2020): the smallest, smoothest region whose deletion (replacement by a blurred image) most
/// decreases the target's probability, found by integrated-gradient descent. Cost per iteration: <c>N</c> forward and
/// backward passes and up to a dozen forward passes of the line search.
/// </summary>
public sealed class IGos : SaliencyMethod
{
    // Line search constants of the official code: initial step 200, shrink 0.2, Armijo constant 1e-4, minimum 1e-5.
    private const double InitialStep = 200;
    private const double Shrink = 0.2;
    private const double Armijo = 1e-4;
    private const double MinimumStep = 1e-5;

    private readonly int iterations;
    private readonly int integrationSteps;
    private readonly int maskStride;
    private readonly double l1Weight;
    private readonly double tvWeight;
    private readonly double tvPower;
    private readonly double blurSigma;
    private readonly double noiseStd;

    private IGos(nn.Module<Tensor, Tensor> model, int iterations, int integrationSteps, int maskStride, double l1Weight, double tvWeight, double tvPower, double blurSigma, double noiseStd, SaliencyOptions? options)
        : base(model, options)
    {
        this.iterations = iterations;
        this.integrationSteps = integrationSteps;
        this.maskStride = maskStride;
        this.l1Weight = l1Weight;
        this.tvWeight = tvWeight;
        this.tvPower = tvPower;
        this.blurSigma = blurSigma;
        this.noiseStd = noiseStd;
    }

    /// <summary>Creates I-GOS with the official code's defaults, except the iteration count.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="iterations">Descent iterations (default 15, as the official code).</param>
    /// <param name="integrationSteps">Points <c>N</c> of the integrated gradient (default 20).</param>
    /// <param name="maskStride">Input pixels per mask cell (default 8: a 28×28 mask at 224×224).</param>
    /// <param name="l1Weight">λ₁ of the area term (default 3 = 0.01·300).</param>
    /// <param name="tvWeight">λ₂ of the total-variation term (default 60 = 0.2·300).</param>
    /// <param name="tvPower">Exponent β of the total variation (default 2).</param>
    /// <param name="blurSigma">σ of the blurred baseline, in pixels (default 10).</param>
    /// <param name="noiseStd">Std of the noise added to each integration point (default 0.2, as the official code).</param>
    /// <param name="options">Shared settings (the seed drives the noise).</param>
    public static IGos Create(nn.Module<Tensor, Tensor> model, int iterations = 15, int integrationSteps = 20, int maskStride = 8, double l1Weight = 3,
        double tvWeight = 60, double tvPower = 2, double blurSigma = 10, double noiseStd = 0.2, SaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(integrationSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maskStride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(l1Weight);
        ArgumentOutOfRangeException.ThrowIfNegative(tvWeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tvPower);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blurSigma);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseStd);
        return new IGos(model, iterations, integrationSteps, maskStride, l1Weight, tvWeight, tvPower, blurSigma, noiseStd, options);
    }

    /// <inheritdoc />
    public override string Name => "I-GOS";

    /// <inheritdoc />
    protected override Tensor Compute(Tensor images, ExplanationTarget target, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], height = images.shape[2], width = images.shape[3];
        long maskH = (height + maskStride - 1) / maskStride, maskW = (width + maskStride - 1) / maskStride;
        // Every number below reaches TorchSharp as a scalar of this scope (see ScalarScope): the line search runs the
        // objective hundreds of times per call.
        using var scalars = new ScalarScope();
        var blurred = GaussianBlur.Apply(images, blurSigma);
        var difference = images - blurred;
        var mask = ones(b, 1, maskH, maskW, device: images.device);

        // x̃ + (x − x̃)·M, i.e. x ⊙ M + x̃ ⊙ (1 − M)
        Tensor Perturb(Tensor m) => blurred.Plus(difference.mul(ExplanationMaps.Upsample(m, height, width)));

        // Per-image objective without gradients: probability of the perturbed image plus the regularisers.
        Tensor Objective(Tensor m)
        {
            using var s = NewDisposeScope();
            return target.Probability(Model.call(Perturb(m))).Plus(Regularisers(m, scalars)).MoveToOuterDisposeScope();
        }

        var zero = scalars.Of(0);
        var initialStep = scalars.Of(InitialStep);
        var armijo = scalars.Of(Armijo);
        var minimumStep = scalars.Of(MinimumStep);
        var shrink = scalars.Of(Shrink);

        for (var t = 0; t < iterations; t++)
        {
            using var step = NewDisposeScope();
            var direction = IntegratedGradient(images, blurred, difference, mask, target, generator, height, width, scalars);
            Tensor current;
            using (no_grad())
            {
                current = Objective(mask);
            }

            var squaredNorm = direction.Squared().sum([1L, 2L, 3L]);
            var stepSize = full(b, initialStep, device: images.device);
            var settled = zeros(b, dtype: ScalarType.Bool, device: images.device);
            using (no_grad())
            {
                while (true)
                {
                    using var search = NewDisposeScope();
                    var candidate = (mask - stepSize.view(-1, 1, 1, 1) * direction).clamp_(zero, ScalarScope.One);
                    var ok = Objective(candidate).le(current - stepSize.mul(armijo) * squaredNorm);
                    settled.logical_or_(ok.logical_or(stepSize.lt(minimumStep)));
                    if (settled.all().item<bool>())
                    {
                        break;
                    }

                    stepSize = where(settled, stepSize, stepSize.mul(shrink)).MoveToOuterDisposeScope();
                }

                mask.sub_(stepSize.view(-1, 1, 1, 1) * direction).clamp_(zero, ScalarScope.One);
            }
        }

        return ones_like(mask).sub_(mask).squeeze(1).MoveToOuterDisposeScope(); // 1 − M
    }

    private Tensor Regularisers(Tensor mask, ScalarScope scalars)
    {
        using var scope = NewDisposeScope();
        long h = mask.shape[2], w = mask.shape[3];
        var penalty = ones_like(mask).sub_(mask).abs().mean([1L, 2L, 3L]).mul(scalars.Of(l1Weight)); // λ₁·mean|1 − M|
        if (h > 1)
        {
            var rows = (mask.narrow(2, 1, h - 1) - mask.narrow(2, 0, h - 1)).abs().pow(scalars.Of(tvPower)).mean([1L, 2L, 3L]);
            penalty = penalty.Plus(rows.mul(scalars.Of(tvWeight)));
        }

        if (w > 1)
        {
            var cols = (mask.narrow(3, 1, w - 1) - mask.narrow(3, 0, w - 1)).abs().pow(scalars.Of(tvPower)).mean([1L, 2L, 3L]);
            penalty = penalty.Plus(cols.mul(scalars.Of(tvWeight)));
        }

        return penalty.MoveToOuterDisposeScope();
    }

    // Gradient of the regularisers plus the mean of the probability's gradients at the N integration points; each
    // point is differentiated on its own so that only one forward graph is alive at a time.
    private Tensor IntegratedGradient(Tensor images, Tensor blurred, Tensor difference, Tensor mask, ExplanationTarget target, Generator generator, long height, long width, ScalarScope scalars)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var variable = mask.detach().requires_grad_(true);
        var total = autograd.grad([Regularisers(variable, scalars).sum()], [variable])[0];
        for (var i = 1; i <= integrationSteps; i++)
        {
            using var point = NewDisposeScope();
            var scaled = ExplanationMaps.Upsample(variable, height, width).mul(scalars.Of((double)i / integrationSteps));
            var perturbed = blurred.Plus(difference.mul(scaled));
            if (noiseStd > 0)
            {
                perturbed = perturbed.Plus(Noise(images.shape, generator, images.device).mul_(scalars.Of(noiseStd)));
            }

            var probability = target.Probability(Model.call(perturbed)).sum().div(scalars.Of(integrationSteps));
            total.PlusInPlace(autograd.grad([probability], [variable])[0]);
        }

        return total.MoveToOuterDisposeScope();
    }
}
