using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>Settings of <see cref="ExplanationEvaluator"/>. Defaults are modest so that an evaluation runs on a CPU.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Class explained by SCOUTER+ and by the baselines (default: the label).</summary>
    public ExplainedClass PositiveClass { get; init; } = ExplainedClass.Label;

    /// <summary>The "not" class explained by SCOUTER− (default: the least likely class).</summary>
    public ExplainedClass NegativeClass { get; init; } = ExplainedClass.LeastLikely;

    /// <summary>
    /// Chooses the explained class from the scores <c>[B, n]</c> and labels <c>[B]</c>, returning <c>[B]</c> indices;
    /// overrides <see cref="PositiveClass"/> and <see cref="NegativeClass"/> when set.
    /// </summary>
    public Func<Tensor, Tensor, Tensor>? ClassChooser { get; init; }

    /// <summary>Metrics to compute besides accuracy and area size (default all).</summary>
    public ExplanationMetrics Metrics { get; init; } = ExplanationMetrics.All;

    /// <summary>Baselines explain "why not" the chosen class instead of "why" (default false).</summary>
    public bool NegativeBaselines { get; init; }

    /// <summary>Pixels changed per step of the insertion and deletion games; null for the image width.</summary>
    public int? InsertionStepPixels { get; init; }

    /// <summary>Perturbed images per model call (default 64).</summary>
    public int ForwardBatchSize { get; init; } = 64;

    /// <summary>Gaussian perturbations per image for infidelity (default 16).</summary>
    public int InfidelitySamples { get; init; } = 16;

    /// <summary>σ of the infidelity perturbations in input units (default 0.2).</summary>
    public double InfidelityNoiseStd { get; init; } = 0.2;

    /// <summary>Rescale maps optimally before measuring infidelity, as Yeh et al.'s code does (default true).</summary>
    public bool InfidelityOptimalScaling { get; init; } = true;

    /// <summary>Uniform perturbations per image for max-sensitivity (default 4; each re-runs the explanation).</summary>
    public int SensitivitySamples { get; init; } = 4;

    /// <summary>Radius r of the max-sensitivity perturbations (default 0.2, as the SCOUTER paper).</summary>
    public double SensitivityRadius { get; init; } = 0.2;

    /// <summary>Tolerance of the pointing game in pixels (default 15).</summary>
    public double PointingTolerance { get; init; } = 15;

    /// <summary>Seed of every random perturbation (default 0).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Fold the SCOUTER model's batch norms into its convolutions while it is evaluated (default true;
    /// <see cref="Inference.BatchNormFolding"/>): its many forward passes (insertion, deletion, infidelity, sensitivity)
    /// each save a pass over the activations per pair, with the same scores and maps up to float rounding. Not done when
    /// a baseline's model shares the SCOUTER model's backbone, whose gradients the baselines need unfolded. The model is
    /// restored when the evaluation ends.
    /// </summary>
    public bool FoldBatchNorm { get; init; } = true;

    internal EvaluationOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ForwardBatchSize, 1, nameof(ForwardBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(InfidelitySamples, 1, nameof(InfidelitySamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(SensitivitySamples, 1, nameof(SensitivitySamples));
        ArgumentOutOfRangeException.ThrowIfNegative(InfidelityNoiseStd, nameof(InfidelityNoiseStd));
        ArgumentOutOfRangeException.ThrowIfNegative(SensitivityRadius, nameof(SensitivityRadius));
        ArgumentOutOfRangeException.ThrowIfNegative(PointingTolerance, nameof(PointingTolerance));
        if ((Metrics & ~ExplanationMetrics.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Metrics), Metrics, $"Metrics must combine the named {nameof(ExplanationMetrics)} flags.");
        }

        if (InsertionStepPixels is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(InsertionStepPixels), InsertionStepPixels, "InsertionStepPixels must be at least 1 (or null for the image width).");
        }

        return this;
    }

    internal IReadOnlyDictionary<string, string> Describe() => new SortedDictionary<string, string>
    {
        ["metrics"] = Metrics.ToString(),
        ["positiveClass"] = ClassChooser is null ? PositiveClass.ToString() : "custom",
        ["negativeClass"] = ClassChooser is null ? NegativeClass.ToString() : "custom",
        ["negativeBaselines"] = NegativeBaselines.ToString(),
        ["insertionStepPixels"] = InsertionStepPixels?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "image width",
        ["insertionStart"] = "Gaussian blur σ 5, kernel 11",
        ["deletionSubstrate"] = "zeros",
        ["infidelitySamples"] = InfidelitySamples.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["infidelityNoiseStd"] = InfidelityNoiseStd.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["infidelityOptimalScaling"] = InfidelityOptimalScaling.ToString(),
        ["sensitivitySamples"] = SensitivitySamples.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["sensitivityRadius"] = SensitivityRadius.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["pointingTolerance"] = PointingTolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
