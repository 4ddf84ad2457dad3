using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// A copy of an AdamW optimizer's per-parameter state as PyTorch's <c>optimizer.state_dict()["state"]</c> holds it:
/// keyed by the parameter's position in the <em>official</em> model's optimizer (<see cref="OfficialParameterOrder"/>),
/// with the step count and both moment estimates. Parameters never stepped have no entry. Disposing it disposes the
/// copied tensors.
/// </summary>
/// <param name="Entries">Per-parameter state keyed by official position.</param>
public sealed record AdamWSnapshot(IReadOnlyDictionary<int, AdamWParameterState> Entries) : IDisposable
{
    /// <summary>Copies the state of <paramref name="optimizer"/> to the CPU.</summary>
    /// <param name="optimizer">An AdamW optimizer over the model's trainable parameters.</param>
    /// <param name="order">The official positions of the optimizer's parameters.</param>
    internal static AdamWSnapshot Capture(AdamW optimizer, OfficialParameterOrder order)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(order);
        var states = optimizer.state_dict().State;
        CheckCount(states.Count, order);
        var entries = new Dictionary<int, AdamWParameterState>();
        for (var i = 0; i < states.Count; i++)
        {
            if (states[i] is AdamW.State { step: > 0 } state)
            {
                entries[order.OfficialIndexOfOurs[i]] = new AdamWParameterState(
                    state.step,
                    state.exp_avg.detach().cpu().clone().DetachFromDisposeScope(),
                    state.exp_avg_sq.detach().cpu().clone().DetachFromDisposeScope());
            }
        }

        return new AdamWSnapshot(entries);
    }

    /// <summary>Writes this state into <paramref name="optimizer"/>; parameters without an entry start afresh.</summary>
    /// <param name="optimizer">The optimizer to restore.</param>
    /// <param name="order">The official positions of the optimizer's parameters.</param>
    /// <exception cref="ArgumentException">The state names positions or shapes this model does not have.</exception>
    internal void RestoreInto(AdamW optimizer, OfficialParameterOrder order)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(order);
        var states = optimizer.state_dict().State;
        CheckCount(states.Count, order);
        var known = order.OfficialIndexOfOurs.ToHashSet();
        var foreign = Entries.Keys.Where(k => !known.Contains(k)).Order().ToList();
        if (foreign.Any(k => k < 0 || k >= order.OfficialNames.Count || !order.OfficialNames[k].StartsWith("slot.to_q.", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The optimizer state has entries for parameter position(s) {string.Join(", ", foreign)}, but the model's optimizer has {order.OfficialNames.Count} (official) positions; the checkpoint was made for another model or another set of trainable (frozen) parameters.", nameof(optimizer));
        }

        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var state = (AdamW.State)states[i];
            if (!Entries.TryGetValue(order.OfficialIndexOfOurs[i], out var saved))
            {
                state.step = 0;
                state.exp_avg.zero_();
                state.exp_avg_sq.zero_();
                continue;
            }

            if (!saved.ExpAvg.shape.SequenceEqual(state.exp_avg.shape))
            {
                throw new ArgumentException($"The optimizer state of '{order.OfficialNames[order.OfficialIndexOfOurs[i]]}' has shape [{string.Join(", ", saved.ExpAvg.shape)}], but the parameter is [{string.Join(", ", state.exp_avg.shape)}].", nameof(optimizer));
            }

            state.step = saved.Step;
            state.exp_avg.copy_(saved.ExpAvg);
            state.exp_avg_sq.copy_(saved.ExpAvgSq);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in Entries.Values)
        {
            entry.ExpAvg.Dispose();
            entry.ExpAvgSq.Dispose();
        }
    }

    private static void CheckCount(int count, OfficialParameterOrder order)
    {
        if (count != order.OfficialIndexOfOurs.Count)
        {
            throw new ArgumentException($"The optimizer holds {count} parameter(s) but the model has {order.OfficialIndexOfOurs.Count} trainable parameter(s); build the optimizer after freezing.");
        }
    }
}

/// <summary>AdamW state of one parameter.</summary>
/// <param name="Step">Optimizer steps taken for this parameter.</param>
/// <param name="ExpAvg">First-moment estimate.</param>
/// <param name="ExpAvgSq">Second-moment estimate.</param>
public sealed record AdamWParameterState(long Step, Tensor ExpAvg, Tensor ExpAvgSq);
