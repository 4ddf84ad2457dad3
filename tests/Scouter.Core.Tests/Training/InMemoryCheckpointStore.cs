using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

/// <summary>Keeps deep copies of saved checkpoints by path and records the order of saves.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore, IDisposable
{
    private readonly Dictionary<string, TrainingCheckpoint> saved = new();

    public List<string> SavedPaths { get; } = new();

    public void Save(string path, TrainingCheckpoint checkpoint)
    {
        if (saved.Remove(path, out var old))
        {
            old.Dispose();
        }

        saved[path] = Copy(checkpoint);
        SavedPaths.Add(Path.GetFileName(path));
        File.WriteAllText(path, "in-memory checkpoint"); // so File.Exists sees it, as with a real store
    }

    public TrainingCheckpoint Load(string path) => Copy(saved[path]);

    public void Dispose()
    {
        foreach (var checkpoint in saved.Values)
        {
            checkpoint.Dispose();
        }
    }

    private static TrainingCheckpoint Copy(TrainingCheckpoint c) => c with
    {
        Model = c.Model.ToDictionary(e => e.Key, e => e.Value.clone().DetachFromDisposeScope()),
        Optimizer = new AdamWSnapshot(c.Optimizer.Entries.ToDictionary(
            e => e.Key,
            e => new AdamWParameterState(e.Value.Step, e.Value.ExpAvg.clone().DetachFromDisposeScope(), e.Value.ExpAvgSq.clone().DetachFromDisposeScope()))),
    };
}
