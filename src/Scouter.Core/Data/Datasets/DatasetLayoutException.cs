namespace Scouter.Core.Data.Datasets;

/// <summary>
/// A data set's folder, metadata file or contents do not have the layout its loader expects. The message names
/// the path and describes the expected layout.
/// </summary>
public sealed class DatasetLayoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file or folder at fault.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DatasetLayoutException(string path, string message, Exception? inner = null) : base(message, inner)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
