using Scouter.Core.Interop;
using Scouter.Core.Interop.Pickle;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Stores <see cref="TrainingCheckpoint"/>s as official SCOUTER checkpoints: a torch.save file holding <c>model</c>,
/// <c>optimizer</c> and <c>lr_scheduler</c> (PyTorch 1.13's AdamW and StepLR state-dict layouts), <c>epoch</c> and
/// <c>args</c> (an <c>argparse.Namespace</c>). The official <c>train.py</c> resumes from our files and we resume from
/// its files. Writes are atomic: a crash mid-save leaves the previous file intact.
/// </summary>
public sealed class OfficialCheckpointStore : ICheckpointStore
{
    // Our one addition; PyTorch and the official code ignore keys they do not read.
    private const string BestAccuracyKey = "scouter_best_val_acc";

    /// <inheritdoc />
    public void Save(string path, TrainingCheckpoint checkpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var schedule = checkpoint.Schedule;
        var nextLearningRate = schedule.At(checkpoint.Epoch + 1); // the official loop saves after lr_scheduler.step()

        var state = new PickleDict();
        foreach (var (index, entry) in checkpoint.Optimizer.Entries.OrderBy(e => e.Key))
        {
            state[(long)index] = new PickleDict
            {
                // PyTorch 1.13 keeps AdamW's step as a float32 scalar tensor.
                ["step"] = tensor((float)entry.Step),
                ["exp_avg"] = entry.ExpAvg,
                ["exp_avg_sq"] = entry.ExpAvgSq,
            };
        }

        var group = new PickleDict
        {
            ["lr"] = nextLearningRate,
            ["betas"] = new object?[] { 0.9, 0.999 },
            ["eps"] = 1e-8,
            ["weight_decay"] = schedule.WeightDecay,
            ["amsgrad"] = false,
            ["foreach"] = null,
            ["maximize"] = false,
            ["capturable"] = false,
            ["initial_lr"] = schedule.LearningRate,
            ["params"] = Enumerable.Range(0, checkpoint.OptimizerParameterCount).Select(i => (object?)(long)i).ToList(),
        };

        var scheduler = new PickleDict
        {
            ["step_size"] = (long)schedule.LrDrop,
            ["gamma"] = schedule.LrGamma,
            ["base_lrs"] = new List<object?> { schedule.LearningRate },
            ["last_epoch"] = (long)checkpoint.Epoch + 1,
            ["verbose"] = false,
            ["_step_count"] = (long)checkpoint.Epoch + 2,
            ["_get_lr_called_within_step"] = false,
            ["_last_lr"] = new List<object?> { nextLearningRate },
        };

        var optimizer = new PickleDict { ["state"] = state, ["param_groups"] = new List<object?> { group } };
        try
        {
            OfficialCheckpoint.Write(path, checkpoint.Model, checkpoint.Args, checkpoint.Epoch, optimizer, scheduler,
                [new KeyValuePair<string, object?>(BestAccuracyKey, checkpoint.BestValidationAccuracy)]);
        }
        finally
        {
            foreach (var entry in state.Values.Cast<PickleDict>())
            {
                ((Tensor)entry["step"]!).Dispose();
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="CheckpointFormatException">The file is no checkpoint, or its optimizer state is not AdamW's.</exception>
    public TrainingCheckpoint Load(string path)
    {
        using var file = OfficialCheckpoint.Read(path);
        if (file.Epoch is not { } epoch)
        {
            throw new CheckpointFormatException(path, "it holds no 'epoch', so training cannot resume from it (a bare state dict or an export?).");
        }

        var model = new StateDict();
        foreach (var (name, value) in file.Model)
        {
            model.Add(name, value.clone().DetachFromDisposeScope());
        }

        var (optimizer, parameterCount, weightDecay) = ReadOptimizer(path, file.Optimizer);
        var schedule = ReadSchedule(file.LrScheduler, weightDecay);
        var best = file.GetExtra(BestAccuracyKey) is double accuracy ? accuracy : double.NegativeInfinity;
        return new TrainingCheckpoint(model, optimizer, parameterCount, (int)epoch, schedule, best, file.Args);
    }

    private static (AdamWSnapshot, int, double) ReadOptimizer(string path, PickleDict? optimizer)
    {
        if (optimizer is not { } root || root.GetValueOrDefault("state") is not PickleDict state || root.GetValueOrDefault("param_groups") is not IList<object?> { Count: > 0 } groups || groups[0] is not PickleDict group)
        {
            throw new CheckpointFormatException(path, "its 'optimizer' is not a PyTorch optimizer state dict with 'state' and 'param_groups'.");
        }

        var entries = new Dictionary<int, AdamWParameterState>();
        try
        {
            foreach (var (key, value) in state)
            {
                if (PickleValues.AsInt64(key) is not { } index || value is not PickleDict entry
                    || entry.GetValueOrDefault("exp_avg") is not Tensor expAvg || entry.GetValueOrDefault("exp_avg_sq") is not Tensor expAvgSq)
                {
                    throw new CheckpointFormatException(path, $"optimizer state entry {PickleValues.Describe(key)} is not AdamW's (step, exp_avg, exp_avg_sq).");
                }

                entries[(int)index] = new AdamWParameterState(
                    ReadStep(path, entry.GetValueOrDefault("step")),
                    expAvg.clone().DetachFromDisposeScope(),
                    expAvgSq.clone().DetachFromDisposeScope());
            }
        }
        catch
        {
            new AdamWSnapshot(entries).Dispose();
            throw;
        }

        var count = group.GetValueOrDefault("params") is IList<object?> parameters ? parameters.Count : entries.Keys.DefaultIfEmpty(-1).Max() + 1;
        var weightDecay = group.GetValueOrDefault("weight_decay") is double decay ? decay : 0.01;
        return (new AdamWSnapshot(entries), count, weightDecay);
    }

    private static long ReadStep(string path, object? step) => step switch
    {
        Tensor t => (long)t.to(ScalarType.Float64).item<double>(),
        double d => (long)d,
        _ => PickleValues.AsInt64(step) ?? throw new CheckpointFormatException(path, $"an AdamW 'step' is a {PickleValues.Describe(step)}, not a number."),
    };

    private static TrainingSchedule ReadSchedule(PickleDict? dict, double weightDecay)
    {
        var baseLr = dict?.GetValueOrDefault("base_lrs") is IList<object?> { Count: > 0 } lrs && lrs[0] is double lr ? lr : 1e-4;
        var stepSize = PickleValues.AsInt64(dict?.GetValueOrDefault("step_size")) ?? 70;
        var gamma = dict?.GetValueOrDefault("gamma") is double g ? g : 0.1;
        return new TrainingSchedule(baseLr, weightDecay, (int)stepSize, gamma);
    }
}
