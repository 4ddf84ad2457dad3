// The SCOUTER loss (Li et al., ICCV 2021, Eq. 7): NLL of the log-softmax of the xSlot scores plus
// λ times a power of the mean attention, which controls the size of the explanatory regions.
// Written from docs/official-implementation.md §2; the code is our own.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Losses;

/// <summary>
/// <c>L = NLL(log_softmax(scores), y) + λ·(Σ ReLU(A) / (B·K·hw))^p</c>, where <c>A</c> is the last-iteration
/// attention of all slots. For a head without attention (the FC baseline) it is the NLL alone.
/// </summary>
/// <remarks>
/// Before computing, it checks that labels are integers in <c>[0, n)</c> with one per image and that every score is
/// finite, and throws an <see cref="ArgumentException"/> naming what it found. Each check reads one value back
/// from the device.
/// </remarks>
public sealed class ScouterLoss : nn.Module<HeadOutput, Tensor, ScouterLossResult>
{
    private readonly double lambda;
    private readonly double power;

    private ScouterLoss(double lambda, double power) : base(nameof(ScouterLoss))
    {
        this.lambda = lambda;
        this.power = power;
        RegisterComponents();
    }

    /// <summary>Creates the loss from <see cref="ScouterLossOptions.Lambda"/> and <see cref="ScouterLossOptions.Power"/>.</summary>
    /// <param name="options">The options; validated.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public static ScouterLoss Create(ScouterLossOptions options)
    {
        ScouterLossOptionsValidator.ThrowIfInvalid(options);
        return new ScouterLoss(options.Lambda, options.Power);
    }

    /// <summary>Creates the loss with explicit λ (≥ 0) and power (&gt; 0).</summary>
    /// <param name="lambda">Weight of the area term.</param>
    /// <param name="power">Exponent of the mean attention.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value is out of range.</exception>
    public static ScouterLoss Create(double lambda, double power) =>
        Create(new ScouterLossOptions { Lambda = lambda, Power = power });

    /// <summary>Weight λ of the area term (<see cref="ScouterLossOptions.Lambda"/>).</summary>
    public double Lambda => lambda;

    /// <summary>Exponent of the area term (<see cref="ScouterLossOptions.Power"/>).</summary>
    public double Power => power;

    /// <summary>The options this loss was created with: a new copy on every read.</summary>
    public ScouterLossOptions Options => new() { Lambda = lambda, Power = power };

    /// <summary>Computes the loss for a head's output and integer labels <c>[B]</c>.</summary>
    /// <param name="output">The head's (or model's) <see cref="HeadOutput"/>.</param>
    /// <param name="labels">Class indices <c>[B]</c> in <c>[0, n)</c>, int64 or int32.</param>
    public override ScouterLossResult forward(HeadOutput output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var (nll, attentionMean) = Parts(output, labels);

        Tensor area;
        Tensor total;
        if (attentionMean is not null)
        {
            area = attentionMean.pow(scalars.Of(power));
            total = nll.Plus(area * scalars.Of(lambda)); // nll + λ·area
        }
        else
        {
            area = zeros([], nll.dtype, nll.device);
            total = nll.alias();
        }

        return new ScouterLossResult(total.MoveToOuterDisposeScope(), nll.MoveToOuterDisposeScope(), area.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The two batch means the loss is made of, checked as <see cref="forward"/> checks them: the NLL and the mean
    /// ReLU attention before the power (null for a head without attention). A batch split into shards combines these
    /// exactly (<see cref="ShardedScouterLoss"/>); the powered area does not split.
    /// </summary>
    internal (Tensor Nll, Tensor? AttentionMean) Parts(HeadOutput output, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(output);
        var scores = output.Scores;
        TensorChecks.Rank(scores, 2, nameof(ScouterLoss), "scores [B, n]", nameof(output));
        TensorChecks.Rank(labels, 1, nameof(ScouterLoss), $"labels [B = {scores.shape[0]}]", nameof(labels));
        CheckLabels(labels, scores.shape[0], scores.shape[1]);
        CheckFinite(scores);

        using var scope = NewDisposeScope();
        var targets = labels.dtype == ScalarType.Int64 ? labels : labels.to(ScalarType.Int64);
        var nll = nn.functional.nll_loss(nn.functional.log_softmax(scores, 1), targets);

        // mean() over every element is Σ / (B·K·hw), the official normalisation.
        var attentionMean = output.SlotAttention is { } attention ? nn.functional.relu(attention).mean().MoveToOuterDisposeScope() : null;
        return (nll.MoveToOuterDisposeScope(), attentionMean);
    }

    private static void CheckLabels(Tensor labels, long batch, long numClasses)
    {
        if (labels.shape[0] != batch)
        {
            throw new ArgumentException($"{nameof(ScouterLoss)} expects one label per image: [B = {batch}]; got {TensorChecks.Describe(labels)}.", nameof(labels));
        }

        if (labels.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
        {
            throw new ArgumentException($"{nameof(ScouterLoss)} expects integer class indices; got {TensorChecks.Describe(labels)}.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var outOfRange = labels.lt(scalars.Of(0)).logical_or(labels.ge(scalars.Of(numClasses)));
        if (outOfRange.any().item<bool>())
        {
            var index = outOfRange.to(ScalarType.Int64).argmax().item<long>();
            var value = labels[index].to(ScalarType.Int64).item<long>();
            throw new ArgumentOutOfRangeException(nameof(labels), value, $"{nameof(ScouterLoss)} expects labels in [0, {numClasses}) for {numClasses} classes; label {index} of the batch is {value}.");
        }
    }

    private static void CheckFinite(Tensor scores)
    {
        using var scope = NewDisposeScope();
        var nonFinite = isfinite(scores).logical_not();
        if (nonFinite.any().item<bool>())
        {
            var count = nonFinite.sum().item<long>();
            throw new ArgumentException($"{nameof(ScouterLoss)} received {count} non-finite score(s) (NaN or ±∞) among {TensorChecks.Describe(scores)}; the model has diverged or its input contains NaN.", nameof(scores));
        }
    }
}
