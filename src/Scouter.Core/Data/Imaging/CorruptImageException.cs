namespace Scouter.Core.Data.Imaging;

/// <summary>
/// An image file could not be decoded: truncated, not an image, in a format the decoder does not read, or (as
/// <see cref="ImageTooLargeException"/>) larger than the decoding limit. Data loaders skip such images with a warning.
/// </summary>
public class CorruptImageException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imagePath">The file (or other source) that failed.</param>
    /// <param name="message">What is wrong with it.</param>
    /// <param name="inner">The decoder's own error, if any.</param>
    public CorruptImageException(string imagePath, string message, Exception? inner = null) : base(message, inner)
    {
        ImagePath = imagePath;
    }

    /// <summary>The file (or other source) that failed.</summary>
    public string ImagePath { get; }
}
