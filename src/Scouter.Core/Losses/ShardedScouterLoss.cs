// The SCOUTER loss (docs/official-implementation.md §2) of one batch computed in shards, one per data-parallel replica. Both parts are
// batch means, so a shard of b_r of the B images contributes with weight w_r = b_r / B; the area term raises the
// mean attention m to the power p, which does not split, so its gradient is linearised at the whole batch's m.
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Losses;

/// <summary>
/// Combines per-shard loss parts into the whole batch's loss, and gives each shard the surrogate whose gradients,
/// summed over shards, equal the gradient of the whole batch's loss.
/// </summary>
/// <remarks>
/// With shard NLL means <c>nll_r</c>, attention means <c>m_r</c> and weights <c>w_r = b_r / B</c>:
/// <c>nll = Σ w_r·nll_r</c>, <c>m = Σ w_r·m_r</c>, <c>L = nll + λ·m^p</c>, and
/// <c>∂L/∂θ = Σ_r w_r·(∂nll_r/∂θ + λ·p·m^(p−1)·∂m_r/∂θ)</c>: the surrogate of shard r is
/// <c>w_r·(nll_r + c·m_r)</c> with the constant <c>c = λ·p·m^(p−1)</c>.
/// </remarks>
internal static class ShardedScouterLoss
{
    /// <summary>The whole batch's loss parts and the area gradient coefficient <c>c</c>.</summary>
    /// <param name="loss">The loss (λ and p).</param>
    /// <param name="shards">Per shard: its weight <c>b_r / B</c>, its NLL mean and its attention mean (null without attention).</param>
    public static (double Total, double Nll, double Area, double AreaCoefficient) Combine(ScouterLoss loss, IReadOnlyList<(double Weight, double Nll, double? AttentionMean)> shards)
    {
        var nll = shards.Sum(s => s.Weight * s.Nll);
        if (shards.All(s => s.AttentionMean is null))
        {
            return (nll, nll, 0, 0);
        }

        var mean = shards.Sum(s => s.Weight * (s.AttentionMean ?? throw new ArgumentException("Every shard of an xSlot model has an attention mean.", nameof(shards))));
        var area = Math.Pow(mean, loss.Power);
        return (nll + loss.Lambda * area, nll, area, loss.Lambda * loss.Power * Math.Pow(mean, loss.Power - 1));
    }

    /// <summary>The tensor whose backward pass gives shard r its exact share of the whole batch's gradient.</summary>
    /// <param name="nll">The shard's NLL mean (with its graph).</param>
    /// <param name="attentionMean">The shard's attention mean (with its graph), or null.</param>
    /// <param name="weight">The shard's weight <c>b_r / B</c>.</param>
    /// <param name="areaCoefficient">The coefficient <c>c</c> from <see cref="Combine"/>.</param>
    public static Tensor Surrogate(Tensor nll, Tensor? attentionMean, double weight, double areaCoefficient)
    {
        // The operations of (nll + m·c)·w, with scalars of our own (see ScalarScope).
        using var scalars = new ScalarScope();
        using var scope = NewDisposeScope();
        var sum = attentionMean is null ? nll : nll.Plus(attentionMean.mul(scalars.Of(areaCoefficient)));
        return sum.mul(scalars.Of(weight)).MoveToOuterDisposeScope();
    }
}
