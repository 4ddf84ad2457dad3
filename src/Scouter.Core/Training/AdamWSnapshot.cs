using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// A copy of an AdamW optimizer's per-parameter state, in parameter order, as PyTorch's
/// <c>optimizer.state_dict()["state"]</c> holds it: the step count and both moment estimates. Parameters the
/// optimizer has not stepped yet have no entry. Disposing it disposes the copied tensors.
/// </summary>
/// <param name="Entries">Per-parameter state keyed by the parameter's index in the optimizer.</param>
public sealed record AdamWSnapshot(IReadOnlyDictionary<int, AdamWParameterState> Entries) : IDisposable
{
    /// <summary>Copies the state of <paramref name="optimizer"/> (to the CPU).</summary>
    /// <param name="optimizer">An AdamW optimizer.</param>
    public static AdamWSnapshot Capture(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var entries = new Dictionary<int, AdamWParameterState>();
        var states = optimizer.state_dict().State;
        for (var i = 0; i < states.Count; i++)
        {
            if (states[i] is AdamW.State { step: > 0 } state)
            {
                entries[i] = new AdamWParameterState(
                    state.step,
                    state.exp_avg.detach().cpu().clone().DetachFromDisposeScope(),
                    state.exp_avg_sq.detach().cpu().clone().DetachFromDisposeScope());
            }
        }

        return new AdamWSnapshot(entries);
    }

    /// <summary>Writes this state into <paramref name="optimizer"/>, which must hold the same parameters in the same order.</summary>
    /// <param name="optimizer">The optimizer to restore.</param>
    /// <exception cref="ArgumentException">The optimizer has another parameter count or shapes.</exception>
    public void RestoreInto(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var states = optimizer.state_dict().State;
        var outOfRange = Entries.Keys.Where(k => k < 0 || k >= states.Count).ToList();
        if (outOfRange.Count > 0)
        {
            throw new ArgumentException($"The optimizer state names parameter index {outOfRange[0]}, but the optimizer has {states.Count} parameter(s); the checkpoint was made for another model or another set of trainable parameters.", nameof(optimizer));
        }

        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var state = (AdamW.State)states[i];
            if (!Entries.TryGetValue(i, out var saved))
            {
                state.step = 0;
                state.exp_avg.zero_();
                state.exp_avg_sq.zero_();
                continue;
            }

            if (!saved.ExpAvg.shape.SequenceEqual(state.exp_avg.shape))
            {
                throw new ArgumentException($"Optimizer state of parameter {i} has shape [{string.Join(", ", saved.ExpAvg.shape)}], but the parameter is [{string.Join(", ", state.exp_avg.shape)}].", nameof(optimizer));
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
}

/// <summary>AdamW state of one parameter.</summary>
/// <param name="Step">Optimizer steps taken for this parameter.</param>
/// <param name="ExpAvg">First-moment estimate.</param>
/// <param name="ExpAvgSq">Second-moment estimate.</param>
public sealed record AdamWParameterState(long Step, Tensor ExpAvg, Tensor ExpAvgSq);
