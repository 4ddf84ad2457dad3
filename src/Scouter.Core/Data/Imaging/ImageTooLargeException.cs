using System.Globalization;

namespace Scouter.Core.Data.Imaging;

/// <summary>
/// An image's header declares more pixels than <see cref="ImageDecoder.MaxPixels"/> allows, so it was refused before
/// decoding (a decompression bomb, or simply a picture far larger than a classifier needs). A
/// <see cref="CorruptImageException"/>, so data loaders skip it with a warning as they skip unreadable files.
/// </summary>
public sealed class ImageTooLargeException : CorruptImageException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="imagePath">The file (or other source) refused.</param>
    /// <param name="width">Width the header declares.</param>
    /// <param name="height">Height the header declares.</param>
    /// <param name="maxPixels">The limit in force.</param>
    public ImageTooLargeException(string imagePath, long width, long height, long maxPixels)
        : base(imagePath, string.Create(CultureInfo.InvariantCulture,
            $"Image '{imagePath}' is {width} × {height} = {width * height:N0} pixels, more than the decoding limit of {maxPixels:N0} pixels (ImageDecoder.MaxPixels; the CLI's --max_image_pixels). Nothing was decoded; raise the limit if the image is trusted."))
    {
        Width = width;
        Height = height;
        MaxPixels = maxPixels;
    }

    /// <summary>Width the header declares.</summary>
    public long Width { get; }

    /// <summary>Height the header declares.</summary>
    public long Height { get; }

    /// <summary>The limit in force when the image was refused.</summary>
    public long MaxPixels { get; }
}
