// Decodes JPEG and PNG through TorchVision's SkiaImager (torchvision.io), working around its known faults
// (TORCHSHARP-NOTES "Data and images"): 4-channel output in A,R,G,B order, alpha premultiplied into the colour,
// and garbage input reported as an ArgumentNullException("codec") or, for a cut-off PNG, silently half decoded.
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Data.Imaging;

/// <summary>
/// Reads JPEG (baseline, progressive, grayscale and CMYK) and PNG (gray, RGB, RGBA) files into uint8 tensors
/// <c>[C, H, W]</c>, as PIL's <c>Image.open(path).convert("RGB")</c> or <c>.convert("L")</c> would give them.
/// </summary>
/// <remarks>
/// Uses its own <see cref="torchvision.io.SkiaImager"/> instance, never <see cref="torchvision.io.DefaultImager"/>,
/// so it works whatever the application set globally. Thread-safe: the data loader decodes on several threads.
/// The alpha channel of a PNG is dropped, as PIL's <c>convert("RGB")</c> does; because Skia premultiplies it into
/// the colour, colours are divided back by alpha, which is exact for opaque pixels and within rounding otherwise
/// (fully transparent pixels come out black).
/// </remarks>
public static class ImageDecoder
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] PngTrailer = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]; // "IEND" + its CRC
    private static readonly torchvision.io.SkiaImager Imager = new();

    /// <summary>Reads and decodes one image file.</summary>
    /// <param name="path">A JPEG or PNG file.</param>
    /// <param name="rgb"><see langword="true"/> for 3 channels (grayscale is repeated, as PIL's <c>convert("RGB")</c>); <see langword="false"/> for 1 channel (luma, as <c>convert("L")</c>).</param>
    /// <returns>A uint8 tensor <c>[C, H, W]</c>; the caller owns it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorruptImageException">The file is not a readable image.</exception>
    public static Tensor Read(string path, bool rgb = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        return Decode(File.ReadAllBytes(path), path, rgb);
    }

    /// <summary>Decodes an encoded JPEG or PNG image.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="source">Names the bytes' origin in error messages (usually the path).</param>
    /// <param name="rgb">See <see cref="Read"/>.</param>
    /// <returns>A uint8 tensor <c>[C, H, W]</c>; the caller owns it.</returns>
    /// <exception cref="CorruptImageException">The bytes are not a readable image.</exception>
    public static Tensor Decode(byte[] bytes, string source, bool rgb = true)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        var format = Sniff(bytes, source);

        using var scope = NewDisposeScope();
        Tensor image;
        try
        {
            image = format == Format.PngWithAlpha
                ? Unpremultiply(Imager.DecodeImage(bytes, torchvision.io.ImageReadMode.RGB_ALPHA))
                : Imager.DecodeImage(bytes, torchvision.io.ImageReadMode.UNCHANGED);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CorruptImageException(source, $"Image '{source}' could not be decoded ({e.GetType().Name}: {e.Message}); the file is truncated or damaged.", e);
        }

        if (image.dim() != 3 || image.dtype != ScalarType.Byte || image.shape[1] == 0 || image.shape[2] == 0)
        {
            throw new CorruptImageException(source, $"Image '{source}' decoded to {TensorChecks.Describe(image)}; expected a non-empty uint8 image [C, H, W].");
        }

        var channels = image.shape[0];
        if (rgb && channels == 1)
        {
            image = image.expand(3, -1, -1).contiguous();
        }
        else if (!rgb && channels == 3)
        {
            image = ToLuma(image);
        }

        return image.MoveToOuterDisposeScope();
    }

    private enum Format
    {
        Jpeg,
        Png,
        PngWithAlpha,
    }

    private static Format Sniff(byte[] bytes, string source)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            return Format.Jpeg;
        }

        if (bytes.Length >= 33 && bytes.AsSpan(0, 8).SequenceEqual(PngSignature))
        {
            // Skia decodes a cut-off PNG without complaint (the missing rows come out blank); a complete file ends with IEND.
            if (!bytes.AsSpan(bytes.Length - PngTrailer.Length).SequenceEqual(PngTrailer))
            {
                throw new CorruptImageException(source, $"PNG image '{source}' is truncated: it does not end with the IEND chunk ({bytes.Length} bytes read).");
            }

            // IHDR colour type (byte 25): 4 = gray + alpha, 6 = RGBA; a tRNS chunk also adds transparency.
            var colourType = bytes[25];
            var hasAlpha = colourType is 4 or 6 || bytes.AsSpan().IndexOf("tRNS"u8) >= 0;
            return hasAlpha ? Format.PngWithAlpha : Format.Png;
        }

        var head = Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)));
        throw new CorruptImageException(source, $"'{source}' is neither a JPEG (starts with FFD8FF) nor a PNG (starts with 89504E47…); its first bytes are {(head.Length == 0 ? "none (empty file)" : head)}.");
    }

    // Skia returns RGBA as A,R,G,B with colour premultiplied by alpha; PIL's convert("RGB") keeps the straight colour.
    private static Tensor Unpremultiply(Tensor argb)
    {
        var alpha = argb[0].to(ScalarType.Float32);
        var colour = argb[TensorIndex.Slice(1, 4)].to(ScalarType.Float32);
        var straight = (colour * 255f / alpha.clamp_min(1f)).round().clamp(0, 255);
        return straight.to(ScalarType.Byte);
    }

    // ITU-R 601-2 luma in PIL's fixed point (Convert.c, L24): (R·19595 + G·38470 + B·7471 + 2^15) >> 16.
    private static Tensor ToLuma(Tensor rgb)
    {
        var channels = rgb.to(ScalarType.Int32);
        var luma = (channels[0] * 19595 + channels[1] * 38470 + channels[2] * 7471 + 32768).div(65536, rounding_mode: RoundingMode.floor);
        return luma.to(ScalarType.Byte).unsqueeze(0);
    }
}
