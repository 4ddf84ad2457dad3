// IBA: Schulz, Sixt, Tombari and Landgraf, "Restricting the Flow: Information Bottlenecks for Attribution",
// ICLR 2020 (per-sample bottleneck; official code iba/pytorch.py, also shipped in the SCOUTER repository as
// torchcam/IBA/pytorch.py). At the target layer the features R are replaced by Z = λ⊙R + (1−λ)⊙ε,
// ε ~ N(μ_R, σ_R²), λ = smooth(sigmoid(α)); α is fitted to minimise CE + β·mean KL(P(Z|R) ‖ N(μ_R, σ_R²)), and the
// saliency is the KL per position summed over channels, in bits.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static Scouter.Core.Compat.ScalarFreeOperators;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Per-sample Information Bottleneck Attribution (Schulz et al., ICLR 2020). Needs the mean and standard deviation
/// of every feature of the target layer: call <see cref="EstimateStatistics"/> with representative images first
/// (the paper uses about 10 000); without it each call estimates them from the images being explained.
/// Cost: <c>iterations</c> forward and backward passes of <c>samples</c> noisy copies per image.
/// </summary>
public sealed class InformationBottleneck : SaliencyMethod
{
    private readonly LayerHook hook;
    private readonly double beta;
    private readonly int iterations;
    private readonly int samples;
    private readonly double learningRate;
    private readonly double initialAlpha;
    private readonly double smoothingSigma;
    private readonly double minStd;
    private readonly double activeThreshold;
    private FeatureStatistics? statistics;

    private InformationBottleneck(nn.Module<Tensor, Tensor> model, string? targetLayer, double beta, int iterations, int samples, double learningRate,
        double initialAlpha, double smoothingSigma, double minStd, double activeThreshold, SaliencyOptions? options) : base(model, options)
    {
        hook = new LayerHook(model, targetLayer);
        this.beta = beta;
        this.iterations = iterations;
        this.samples = samples;
        this.learningRate = learningRate;
        this.initialAlpha = initialAlpha;
        this.smoothingSigma = smoothingSigma;
        this.minStd = minStd;
        this.activeThreshold = activeThreshold;
    }

    /// <summary>Creates IBA with the official defaults.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer after which the bottleneck sits; null for the last spatial layer.</param>
    /// <param name="beta">Weight β of the information term (default 10).</param>
    /// <param name="iterations">Optimisation steps (default 10).</param>
    /// <param name="samples">Noisy copies per image and step (default 10).</param>
    /// <param name="learningRate">Adam step size on α (default 1).</param>
    /// <param name="initialAlpha">Initial α (default 5: λ ≈ 0.993, almost no noise).</param>
    /// <param name="smoothingSigma">σ of the Gaussian smoothing of λ over positions (default 1; 0 disables it).</param>
    /// <param name="minStd">Lower bound of the feature standard deviations (default 0.01).</param>
    /// <param name="activeThreshold">A feature counts as active when non-zero in more than this fraction of the estimation images (default 0.01).</param>
    /// <param name="options">Shared settings (the seed drives the noise).</param>
    public static InformationBottleneck Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, double beta = 10, int iterations = 10, int samples = 10,
        double learningRate = 1, double initialAlpha = 5, double smoothingSigma = 1, double minStd = 0.01, double activeThreshold = 0.01, SaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(beta);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(smoothingSigma);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minStd);
        ArgumentOutOfRangeException.ThrowIfNegative(activeThreshold);
        return new InformationBottleneck(model, targetLayer, beta, iterations, samples, learningRate, initialAlpha, smoothingSigma, minStd, activeThreshold, options);
    }

    /// <inheritdoc />
    public override string Name => "IBA";

    /// <summary>The bottleneck layer's name; null until the first call when it is found automatically.</summary>
    public string? TargetLayerName => hook.LayerName;

    /// <summary>Number of images the feature statistics were estimated from (0 before <see cref="EstimateStatistics"/>).</summary>
    public long EstimatedFrom => statistics?.Count ?? 0;

    /// <summary>
    /// Estimates the mean, standard deviation and activity of every feature of the target layer from batches of
    /// model inputs, replacing any earlier estimate.
    /// </summary>
    /// <param name="batches">Input batches <c>[B, C, H, W]</c>; each is only read.</param>
    public void EstimateStatistics(IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        FeatureStatistics? estimate = null;
        using var mode = new EvalModeScope(Model);
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            TensorChecks.Rank(batch, 4, Name, "input batches [B, C, H, W]", nameof(batches));
            using var noGrad = no_grad();
            var (_, features) = hook.ForwardCapturing(batch);
            estimate ??= new FeatureStatistics(features.shape[1..], features.device);
            estimate.Add(features);
        }

        statistics?.Dispose();
        statistics = estimate ?? throw new ArgumentException("IBA needs at least one batch to estimate the feature statistics.", nameof(batches));
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor images, ExplanationTarget target, Generator generator)
    {
        using var scope = NewDisposeScope();
        hook.EnsureAttached(images);
        // Numbers reach TorchSharp as scalars of this scope (see ScalarScope): the loop runs ten times per call and
        // the bottleneck formula is evaluated inside the model's forward pass.
        using var scalars = new ScalarScope();
        var own = statistics is null ? EstimateFrom(images) : null;
        var stats = statistics ?? own!;
        var mean = stats.Mean();
        var std = stats.Std().clamp_min(scalars.Of(minStd));
        var active = stats.Active(activeThreshold).to(mean.dtype);

        var zero = scalars.Of(0);
        var half = scalars.Of(0.5);
        var one = ScalarScope.One;
        var belowOne = scalars.Of(1 - 1e-6);
        long b = images.shape[0];
        var copies = images.repeat_interleave(samples, dim: 0);
        var rows = scalars.Range(b, device: images.device).repeat_interleave(samples);
        var alpha = full(new long[] { b }.Concat(mean.shape).ToArray(), scalars.Of(initialAlpha), device: images.device);
        using var adam = new AdamStep(alpha, learningRate);
        Tensor capacity = null!;
        using (enable_grad())
        {
            for (var t = 0; t < iterations; t++)
            {
                using var step = NewDisposeScope();
                var variable = alpha.detach().requires_grad_(true);
                var lambda = Smooth(variable.sigmoid()).clamp(zero, belowOne).repeat_interleave(samples, dim: 0);
                var keep = ones_like(lambda).sub(lambda); // 1 − λ
                var noise = Noise(copies.shape[..1].Concat(mean.shape).ToArray(), generator, images.device);
                Tensor? kl = null;
                hook.Replacement = features =>
                {
                    var normalized = (features - mean) / std;
                    var variance = keep.Squared();
                    // The model's own dispose scope would free this intermediate when its forward returns.
                    kl?.Dispose();
                    // KL = ½·(−log σ² − 1 + (λ·z)² + σ²), σ² = (1 − λ)², on the active channels
                    kl = (Sum(-variance.log() - one, (lambda * normalized).Squared(), variance) * half * active).DetachFromDisposeScope();
                    var epsilon = (noise * std).Plus(mean);
                    return (lambda * features).Plus(keep * epsilon) * active;
                };

                Tensor output;
                try
                {
                    output = Model.call(copies);
                }
                finally
                {
                    hook.Replacement = null;
                }

                var perCopy = kl ?? throw new InvalidOperationException($"IBA: the target layer '{hook.LayerName}' did not run during the forward pass.");
                CurrentDisposeScope?.Attach(perCopy);
                var modelLoss = target.Probability(output, rows).clamp_min(scalars.Of(1e-12)).log().neg().view(b, samples).mean([1L]);
                var information = perCopy.view(new long[] { b, samples }.Concat(mean.shape).ToArray()).mean([1L]);
                var loss = modelLoss.Plus(information.mean([1L, 2L, 3L]).mul(scalars.Of(beta))).sum();
                var gradient = autograd.grad([loss], [variable])[0];
                adam.Apply(alpha, gradient);
                capacity = information.detach().MoveToOuterDisposeScope();
            }
        }

        own?.Dispose();
        return capacity.sum(1).div(scalars.Of(Math.Log(2))).MoveToOuterDisposeScope(); // nats → bits
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hook.Dispose();
            statistics?.Dispose();
            statistics = null;
        }

        base.Dispose(disposing);
    }

    private FeatureStatistics EstimateFrom(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (_, features) = hook.ForwardCapturing(images);
        var estimate = new FeatureStatistics(features.shape[1..], features.device);
        estimate.Add(features);
        return estimate;
    }

    private Tensor Smooth(Tensor lambda)
    {
        if (smoothingSigma <= 0)
        {
            return lambda;
        }

        // IBA's kernel: width 2·round(2σ) + 1, covering about 2.5σ on each side.
        var size = 2 * (int)Math.Round(2 * smoothingSigma) + 1;
        return GaussianBlur.Apply(lambda, smoothingSigma, size);
    }

    /// <summary>Running per-feature sums for the mean, standard deviation and activity of the bottleneck layer.</summary>
    private sealed class FeatureStatistics : IDisposable
    {
        private readonly Tensor sum;
        private readonly Tensor squares;
        private readonly Tensor nonZero;

        public FeatureStatistics(long[] shape, Device device)
        {
            sum = zeros(shape, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
            squares = zeros(shape, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
            nonZero = zeros(shape, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        }

        public long Count { get; private set; }

        public void Add(Tensor features)
        {
            using var scope = NewDisposeScope();
            using var scalars = new ScalarScope();
            var f = features.detach().to(ScalarType.Float64);
            sum.PlusInPlace(f.sum([0L]));
            squares.PlusInPlace(f.Squared().sum([0L]));
            nonZero.PlusInPlace(f.ne(scalars.Of(0)).to(ScalarType.Float64).sum([0L]));
            Count += features.shape[0];
        }

        public Tensor Mean()
        {
            using var scalars = new ScalarScope();
            return sum.div(scalars.Of(Count)).to(ScalarType.Float32);
        }

        // Sample standard deviation (n − 1), as IBA's Welford estimator; zero for a single image.
        public Tensor Std()
        {
            using var scope = NewDisposeScope();
            if (Count < 2)
            {
                return zeros_like(sum, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
            }

            using var scalars = new ScalarScope();
            var variance = (squares - sum.Squared().div(scalars.Of(Count))).div(scalars.Of(Count - 1)); // (Σx² − (Σx)²/n) / (n − 1)
            return variance.clamp_min(scalars.Of(0)).sqrt().to(ScalarType.Float32).MoveToOuterDisposeScope();
        }

        public Tensor Active(double threshold)
        {
            using var scope = NewDisposeScope();
            using var scalars = new ScalarScope();
            return nonZero.div(scalars.Of(Count)).gt(scalars.Of(threshold)).MoveToOuterDisposeScope();
        }

        public void Dispose()
        {
            sum.Dispose();
            squares.Dispose();
            nonZero.Dispose();
        }
    }
}
