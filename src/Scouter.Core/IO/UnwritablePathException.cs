namespace Scouter.Core.IO;

/// <summary>
/// An output path cannot be written: it is a file where a folder is needed or the reverse, a folder on the way is a
/// file, or the folder does not accept new files (read-only, no permission). Thrown before any work starts.
/// </summary>
public sealed class UnwritablePathException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The output path that cannot be written (absolute).</param>
    /// <param name="message">What is wrong with it.</param>
    /// <param name="inner">The file system's own error, if any.</param>
    public UnwritablePathException(string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        OutputPath = path;
    }

    /// <summary>The output path that cannot be written (absolute).</summary>
    public string OutputPath { get; }
}
