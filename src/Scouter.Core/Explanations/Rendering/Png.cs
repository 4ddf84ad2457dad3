using Scouter.Core.Internal;
using Scouter.Core.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// PNG encoding of 8-bit images through TorchVision's SkiaSharp imager. Only greyscale and RGB are written:
/// TorchVision 0.107 stores 4-channel images with blue as alpha. Decoding is <see cref="Data.Imaging.ImageDecoder"/>'s.
/// </summary>
public static class Png
{
    // An own instance rather than torchvision.io.DefaultImager: the library does not change a process-wide setting.
    private static readonly torchvision.io.Imager Imager = new torchvision.io.SkiaImager();

    /// <summary>Encodes one image.</summary>
    /// <param name="image">uint8 image <c>[1 or 3, H, W]</c>.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] Encode(Tensor image)
    {
        TensorChecks.Rank(image, 3, nameof(Png), "a uint8 image [1 or 3, H, W]", nameof(image));
        if (image.dtype != ScalarType.Byte || (image.shape[0] != 1 && image.shape[0] != 3))
        {
            throw new ArgumentException($"{nameof(Png)} writes uint8 greyscale or RGB images [1 or 3, H, W]; got {TensorChecks.Describe(image)}.", nameof(image));
        }

        using var contiguous = image.cpu().contiguous();
        return Imager.EncodeImage(contiguous, torchvision.ImageFormat.Png);
    }

    /// <summary>Writes one image as a PNG file, atomically: a temporary file in the same folder is renamed over the target.</summary>
    /// <param name="image">uint8 image <c>[1 or 3, H, W]</c>.</param>
    /// <param name="path">Target file; its folder is created if needed.</param>
    public static void Write(Tensor image, string path) => AtomicFile.Write(path, Encode(image));
}
