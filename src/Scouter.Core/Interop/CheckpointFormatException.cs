namespace Scouter.Core.Interop;

/// <summary>
/// A weights file is not in the format it claims or that was expected (not a zip, truncated, a legacy
/// torch.save file, an unsupported pickle opcode, a storage smaller than its tensors…). The message names the
/// file, what was expected and what was found.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file being read (or written).</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The lower-level error, if any.</param>
    public CheckpointFormatException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file the error is about.</summary>
    public string FilePath { get; }
}
