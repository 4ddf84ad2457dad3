using Scouter.Core.Data.Imaging;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class ImageDecoderTests
{
    [Theory]
    [InlineData("gradient.png", 0)]
    [InlineData("pattern.png", 0)]
    [InlineData("gray.png", 0)]
    [InlineData("progressive.jpg", 2)] // two JPEG decoders (libjpeg in PIL, Skia's) may differ by a level or two
    [InlineData("cmyk.jpg", 2)]
    public void Read_AsRgb_MatchesPilConvertRgb(string name, int tolerance)
    {
        using var expected = ImageFixtures.Get("decoded_rgb", name);
        using var actual = ImageDecoder.Read(ImageFixtures.ImagePath(name), rgb: true);

        actual.dtype.Should().Be(ScalarType.Byte);
        TensorAssert.Close(actual, expected, rtol: 0, atol: tolerance, because: name);
    }

    [Fact]
    public void Read_RgbaPng_DropsAlphaKeepingTheStraightColour()
    {
        // PIL's convert("RGB") keeps the stored colour; Skia hands it back premultiplied by alpha and rounded, so
        // dividing by alpha again is exact up to 255 / (2·alpha) levels. The fixture's alpha is 8·column + 10.
        using var expected = ImageFixtures.Get("decoded_rgb", "rgba.png").to(ScalarType.Float32);
        using var actual = ImageDecoder.Read(ImageFixtures.ImagePath("rgba.png")).to(ScalarType.Float32);
        using var alpha = (arange(32, ScalarType.Float32) * 8 + 10).view(1, 1, 32);
        using var bound = 255f / (2 * alpha) + 0.5f;
        using var error = (actual - expected).abs();
        error.le(bound).all().item<bool>().Should().BeTrue($"worst error {error.max().item<float>()}");
        error[TensorIndex.Ellipsis, TensorIndex.Slice(24)].max().item<float>().Should().BeLessThanOrEqualTo(1f, "alpha ≥ 202 there");
    }

    [Theory]
    [InlineData("gradient.png")]
    [InlineData("gray.png")]
    public void Read_AsGray_MatchesPilConvertL(string name)
    {
        using var expected = ImageFixtures.Get("decoded_l", name);
        using var actual = ImageDecoder.Read(ImageFixtures.ImagePath(name), rgb: false);
        actual.shape.Should().Equal(1, 24, 32);
        TensorAssert.Close(actual, expected, rtol: 0, atol: 0, because: name);
    }

    [Fact]
    public void Read_GrayPng_AsRgb_RepeatsTheChannel()
    {
        using var image = ImageDecoder.Read(ImageFixtures.ImagePath("gray.png"), rgb: true);
        image.shape.Should().Equal(3, 24, 32);
        image[0].eq(image[1]).all().item<bool>().Should().BeTrue();
        image[0].eq(image[2]).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Decode_PngWrittenBySkia_RoundTripsExactly()
    {
        using var folder = new TempFolder();
        using var original = randint(0, 256, [3, 9, 11], ScalarType.Byte);
        var path = folder.WriteImage("x.png", original);
        using var decoded = ImageDecoder.Read(path);
        decoded.eq(original).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Decode_TruncatedPng_ThrowsCorruptImageNamingTheFile()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.ImagePath("pattern.png"));
        var act = () => ImageDecoder.Decode(bytes[..(bytes.Length - 20)], "cut.png");
        act.Should().Throw<CorruptImageException>().WithMessage("*cut.png*truncated*IEND*")
            .Which.ImagePath.Should().Be("cut.png");
    }

    [Fact]
    public void Decode_TruncatedJpeg_ThrowsCorruptImage()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.ImagePath("progressive.jpg"));
        var act = () => ImageDecoder.Decode(bytes[..(bytes.Length / 3)], "cut.jpg");
        act.Should().Throw<CorruptImageException>().WithMessage("*cut.jpg*truncated or damaged*past the end*");
    }

    [Fact]
    public void Decode_NotAnImage_ThrowsCorruptImageShowingTheFirstBytes()
    {
        var act = () => ImageDecoder.Decode("hello world"u8.ToArray(), "notes.jpg");
        act.Should().Throw<CorruptImageException>().WithMessage("*notes.jpg*neither a JPEG*nor a PNG*68656C6C6F20776F*");
    }

    [Fact]
    public void Decode_EmptyFile_SaysItIsEmpty()
    {
        var act = () => ImageDecoder.Decode([], "empty.png");
        act.Should().Throw<CorruptImageException>().WithMessage("*empty.png*empty file*");
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        var act = () => ImageDecoder.Read("/no/such/image.jpg");
        act.Should().Throw<FileNotFoundException>().WithMessage("*/no/such/image.jpg*");
    }

    /// <summary>A baseline JPEG of noise, large enough that cutting it leaves its header whole and ends inside the image data.</summary>
    private static byte[] NoiseJpeg(TempFolder folder)
    {
        using var noise = randint(0, 256, [3, 96, 96], ScalarType.Byte);
        return File.ReadAllBytes(folder.WriteImage("noise.jpg", noise));
    }

    [Fact]
    public void Decode_AHeaderClaimingTwoBillionPixels_IsRefusedBeforeDecoding()
    {
        var act = () => ImageDecoder.Decode(ImageFixtures.PngHeader(65536, 32768), "bomb.png");

        var refused = act.Should().Throw<ImageTooLargeException>().WithMessage("*bomb.png*65536 × 32768*89,478,485*").Which;
        (refused.Width, refused.Height, refused.MaxPixels).Should().Be((65536L, 32768L, ImageDecoder.DefaultMaxPixels));
        refused.Should().BeAssignableTo<CorruptImageException>("data loaders skip it like any unreadable image");
    }

    [Fact]
    public void MaxPixels_IsConfigurable_AndNullLiftsTheLimit()
    {
        using var folder = new TempFolder();
        var path = folder.WriteImage("x.png", 30, 20);
        try
        {
            ImageDecoder.MaxPixels = 599;
            var act = () => ImageDecoder.Read(path);
            act.Should().Throw<ImageTooLargeException>().WithMessage("*30 × 20 = 600 pixels*599*");

            ImageDecoder.MaxPixels = 600;
            using (var image = ImageDecoder.Read(path))
            {
                image.shape.Should().Equal(3, 20, 30);
            }

            ImageDecoder.MaxPixels = null;
            ImageDecoder.MaxPixels.Should().BeNull();
            using (var image = ImageDecoder.Read(path))
            {
                image.shape.Should().Equal(3, 20, 30);
            }

            var invalid = () => ImageDecoder.MaxPixels = 0;
            invalid.Should().Throw<ArgumentOutOfRangeException>();
        }
        finally
        {
            ImageDecoder.MaxPixels = ImageDecoder.DefaultMaxPixels;
        }
    }

    [Fact]
    public void Decode_AZeroByZeroHeader_IsCorrupt()
    {
        var act = () => ImageDecoder.Decode(ImageFixtures.PngHeader(0, 0), "empty-size.png");
        act.Should().Throw<CorruptImageException>().WithMessage("*empty-size.png*0 × 0 pixels*");
    }

    [Fact]
    public void Decode_AJpegCutInsideItsImageData_IsTruncated_NotHalfBlack()
    {
        using var folder = new TempFolder();
        var bytes = NoiseJpeg(folder);

        var act = () => ImageDecoder.Decode(bytes[..(bytes.Length * 2 / 3)], "cut.jpg");

        act.Should().Throw<CorruptImageException>().WithMessage("*cut.jpg*truncated*no end-of-image marker (FFD9)*");
    }

    [Fact]
    public void Decode_AProgressiveJpegCutBetweenScans_IsTruncated()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.ImagePath("progressive.jpg"));
        var act = () => ImageDecoder.Decode(bytes[..(bytes.Length - 40)], "cut-progressive.jpg");
        act.Should().Throw<CorruptImageException>().WithMessage("*cut-progressive.jpg*truncated*FFD9*");
    }

    [Fact]
    public void Decode_AJpegWithBytesAfterItsEnd_StillDecodes()
    {
        using var folder = new TempFolder();
        var bytes = NoiseJpeg(folder);
        using var plain = ImageDecoder.Decode(bytes, "noise.jpg");

        using var padded = ImageDecoder.Decode([.. bytes, 0, 0, 0x0A, 0x0A], "padded.jpg");

        padded.eq(plain).all().item<bool>().Should().BeTrue("cameras append data after the end marker; the image is whole");
    }

    [Fact]
    public void Read_AFolder_SaysItIsAFolder()
    {
        using var folder = new TempFolder();
        var act = () => ImageDecoder.Read(folder.Root);
        act.Should().Throw<CorruptImageException>().WithMessage("*is a folder; expected an image file*");
    }

    [Fact]
    public void Read_ADeviceThatNeverEnds_IsRefusedOnItsFirstBytes()
    {
        File.Exists("/dev/zero").Should().BeTrue("the test reads the Linux zero device");
        var act = () => ImageDecoder.Read("/dev/zero");
        act.Should().Throw<CorruptImageException>().WithMessage("*/dev/zero*neither a JPEG*0000000000000000*");
    }
}
