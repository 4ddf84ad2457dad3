// Decodes JPEG and PNG through TorchVision's SkiaImager (torchvision.io), working around its known faults: 4-channel
// output in A,R,G,B order, alpha premultiplied into the colour, garbage input reported as an
// ArgumentNullException("codec"), and a cut-off PNG or JPEG silently half decoded (the missing rows blank). Before
// Skia sees a byte, the header is read here: the format, the declared size against a pixel budget (Pillow's
// decompression-bomb limit), and the end marker of the file.
using System.Buffers.Binary;
using System.Globalization;
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
/// <para>Refused before decoding, as <see cref="CorruptImageException"/>: anything that is not a JPEG or PNG (checked
/// on the first bytes, so a device such as <c>/dev/zero</c> is never read to its end), a header declaring zero or
/// more than <see cref="MaxPixels"/> pixels (<see cref="ImageTooLargeException"/>), a PNG without its IEND chunk and
/// a JPEG without an end-of-image marker after its image data (both truncated files).</para>
/// </remarks>
public static class ImageDecoder
{
    /// <summary>
    /// The default of <see cref="MaxPixels"/>: 89,478,485 pixels, Pillow's <c>Image.MAX_IMAGE_PIXELS</c> (a quarter
    /// gigabyte of 24-bit pixels), above which Pillow refuses to open an image as a possible decompression bomb.
    /// </summary>
    public const long DefaultMaxPixels = 89_478_485;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] PngTrailer = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]; // "IEND" + its CRC
    private static readonly torchvision.io.SkiaImager Imager = new();

    // The bytes that decide the format and, for a PNG, its size (signature 8, IHDR length and type 8, width and height 8, …).
    private const int SignatureBytes = 33;

    private static long maxPixels = DefaultMaxPixels;

    /// <summary>
    /// The most pixels (width × height) an image may declare in its header to be decoded (default
    /// <see cref="DefaultMaxPixels"/>); null for no limit. Checked before decoding, so a 1 MB file claiming
    /// 20000 × 20000 pixels costs nothing. Process-wide, like Pillow's <c>Image.MAX_IMAGE_PIXELS</c>; thread-safe.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static long? MaxPixels
    {
        get => Volatile.Read(ref maxPixels) is var value && value == long.MaxValue ? null : value;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxPixels must be at least 1 pixel, or null for no limit.");
            }

            Volatile.Write(ref maxPixels, value ?? long.MaxValue);
        }
    }

    /// <summary>Reads and decodes one image file.</summary>
    /// <param name="path">A JPEG or PNG file.</param>
    /// <param name="rgb"><see langword="true"/> for 3 channels (grayscale is repeated, as PIL's <c>convert("RGB")</c>); <see langword="false"/> for 1 channel (luma, as <c>convert("L")</c>).</param>
    /// <returns>A uint8 tensor <c>[C, H, W]</c>; the caller owns it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorruptImageException">The path is a folder, or the file is not a readable image, or it is larger than <see cref="MaxPixels"/> (<see cref="ImageTooLargeException"/>).</exception>
    public static Tensor Read(string path, bool rgb = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new CorruptImageException(path, $"'{path}' is a folder; expected an image file (JPEG or PNG).");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        return Decode(ReadBytes(path), path, rgb);
    }

    /// <summary>Decodes an encoded JPEG or PNG image.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="source">Names the bytes' origin in error messages (usually the path).</param>
    /// <param name="rgb">See <see cref="Read"/>.</param>
    /// <returns>A uint8 tensor <c>[C, H, W]</c>; the caller owns it.</returns>
    /// <exception cref="CorruptImageException">The bytes are not a readable image, or declare more than <see cref="MaxPixels"/> pixels (<see cref="ImageTooLargeException"/>).</exception>
    public static Tensor Decode(byte[] bytes, string source, bool rgb = true)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        var format = Inspect(bytes, source);

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

    /// <summary>
    /// The file's bytes, its format checked on the first bytes before the rest is read: a device or pipe that never
    /// ends (<c>/dev/zero</c>) is refused there, and no file is read past the size an image within the budget can have.
    /// </summary>
    private static byte[] ReadBytes(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var head = new byte[SignatureBytes];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        SniffFormat(head.AsSpan(0, read), path);

        var limit = MaxEncodedBytes();
        var known = stream.CanSeek ? stream.Length : 0;
        if (known > limit)
        {
            throw new CorruptImageException(path, string.Create(CultureInfo.InvariantCulture, $"Image file '{path}' has {known:N0} bytes, more than an image within the decoding limit of {MaxPixels:N0} pixels can have ({limit:N0} bytes)."));
        }

        using var buffer = new MemoryStream(known > read ? (int)known : 1 << 16);
        buffer.Write(head, 0, read);
        var block = new byte[1 << 16];
        int count;
        while ((count = stream.Read(block, 0, block.Length)) > 0)
        {
            if (buffer.Length + count > limit)
            {
                throw new CorruptImageException(path, string.Create(CultureInfo.InvariantCulture, $"Image file '{path}' goes on past {limit:N0} bytes, more than an image within the decoding limit can have."));
            }

            buffer.Write(block, 0, count);
        }

        return buffer.ToArray();
    }

    // A generous bound on an encoded image of MaxPixels pixels: 16-bit RGBA stored uncompressed is 8 bytes a pixel, plus metadata.
    private static long MaxEncodedBytes()
    {
        var pixels = Volatile.Read(ref maxPixels);
        return pixels >= (Array.MaxLength - (64L << 20)) / 8 ? Array.MaxLength : (pixels * 8) + (64L << 20);
    }

    private static Format SniffFormat(ReadOnlySpan<byte> head, string source)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return Format.Jpeg;
        }

        if (head.Length >= SignatureBytes && head[..8].SequenceEqual(PngSignature))
        {
            return Format.Png;
        }

        var first = Convert.ToHexString(head[..Math.Min(8, head.Length)]);
        throw new CorruptImageException(source, $"'{source}' is neither a JPEG (starts with FFD8FF) nor a PNG (starts with 89504E47…); its first bytes are {(first.Length == 0 ? "none (empty file)" : first)}.");
    }

    /// <summary>Checks format, declared size and completeness, all from the header and the end of the file.</summary>
    private static Format Inspect(byte[] bytes, string source)
    {
        var format = SniffFormat(bytes, source);
        var (width, height) = format == Format.Jpeg ? InspectJpeg(bytes, source) : InspectPng(bytes, source);
        if (width < 1 || height < 1)
        {
            throw new CorruptImageException(source, $"Image '{source}' declares a size of {width} × {height} pixels in its header; an image needs at least one pixel each way.");
        }

        var limit = Volatile.Read(ref maxPixels);
        if (width * height > limit)
        {
            throw new ImageTooLargeException(source, width, height, limit);
        }

        if (format == Format.Jpeg)
        {
            return format;
        }

        // IHDR colour type (byte 25): 4 = gray + alpha, 6 = RGBA; a tRNS chunk also adds transparency.
        var colourType = bytes[25];
        return colourType is 4 or 6 || bytes.AsSpan().IndexOf("tRNS"u8) >= 0 ? Format.PngWithAlpha : Format.Png;
    }

    private static (long Width, long Height) InspectPng(byte[] bytes, string source)
    {
        if (!bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new CorruptImageException(source, $"PNG image '{source}' does not start with its IHDR chunk; the file is damaged.");
        }

        // Skia decodes a cut-off PNG without complaint (the missing rows come out blank); a complete file ends with IEND.
        if (!bytes.AsSpan(bytes.Length - PngTrailer.Length).SequenceEqual(PngTrailer))
        {
            throw new CorruptImageException(source, $"PNG image '{source}' is truncated: it does not end with the IEND chunk ({bytes.Length} bytes read).");
        }

        return (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    /// <summary>
    /// Walks the JPEG's marker segments to its frame header (SOFn: the size) and its first scan (SOS), then looks for
    /// the end-of-image marker after the scan data: entropy-coded data escapes every 0xFF as FF 00, so FF D9 there is
    /// the real end. A file cut short has none, and Skia would draw its missing part black without a word.
    /// </summary>
    private static (long Width, long Height) InspectJpeg(byte[] bytes, string source)
    {
        long? width = null, height = null;
        var position = 2;
        while (true)
        {
            if (position + 4 > bytes.Length || bytes[position] != 0xFF)
            {
                throw new CorruptImageException(source, $"JPEG image '{source}' is truncated or damaged: its header ends at byte {position} of {bytes.Length} before any image data.");
            }

            var marker = bytes[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }

            if (marker == 0xD9)
            {
                throw new CorruptImageException(source, $"JPEG image '{source}' is damaged: it ends (FFD9 at byte {position}) before any image data.");
            }

            if (marker is 0x01 or >= 0xD0 and <= 0xD8)
            {
                position += 2; // markers without a length
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 2, 2));
            if (length < 2 || position + 2 + length > bytes.Length)
            {
                throw new CorruptImageException(source, $"JPEG image '{source}' is truncated or damaged: the segment at byte {position} claims {length} bytes, past the end of its {bytes.Length} bytes.");
            }

            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC) && length >= 7)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 5, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 7, 2));
            }
            else if (marker == 0xDA)
            {
                if (width is null || height is null)
                {
                    throw new CorruptImageException(source, $"JPEG image '{source}' is damaged: its image data starts (SOS at byte {position}) before any frame header gives its size.");
                }

                if (bytes.AsSpan(position + 2 + length).IndexOf([(byte)0xFF, (byte)0xD9]) < 0)
                {
                    throw new CorruptImageException(source, $"JPEG image '{source}' is truncated: no end-of-image marker (FFD9) follows its image data ({bytes.Length} bytes read).");
                }

                return (width.Value, height.Value);
            }

            position += 2 + length;
        }
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
    internal static Tensor ToLuma(Tensor rgb)
    {
        var channels = rgb.to(ScalarType.Int32);
        var luma = (channels[0] * 19595 + channels[1] * 38470 + channels[2] * 7471 + 32768).div(65536, rounding_mode: RoundingMode.floor);
        return luma.to(ScalarType.Byte).unsqueeze(0);
    }
}
