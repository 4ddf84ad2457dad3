using Scouter.Core.Training;

namespace Scouter.Core.Tests.Training;

/// <summary>Writes through to a real store and records the file names saved, in order.</summary>
public sealed class RecordingStore(ICheckpointStore inner) : ICheckpointStore
{
    public List<string> SavedNames { get; } = new();

    public void Save(string path, TrainingCheckpoint checkpoint)
    {
        inner.Save(path, checkpoint);
        SavedNames.Add(Path.GetFileName(path));
    }

    public TrainingCheckpoint Load(string path) => inner.Load(path);
}
