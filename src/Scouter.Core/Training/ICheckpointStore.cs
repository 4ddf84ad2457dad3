namespace Scouter.Core.Training;

/// <summary>Writes and reads <see cref="TrainingCheckpoint"/>s. Implementations must write atomically.</summary>
public interface ICheckpointStore
{
    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/>, replacing any file there only once the new one is complete.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="checkpoint">The checkpoint.</param>
    void Save(string path, TrainingCheckpoint checkpoint);

    /// <summary>Reads a checkpoint written by <see cref="Save"/> (or by the official code, where the store supports it).</summary>
    /// <param name="path">The file.</param>
    TrainingCheckpoint Load(string path);
}
