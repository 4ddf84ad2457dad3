using Scouter.Core.Data.Imaging;
using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class PngTests
{
    [Fact]
    public void EncodeAndDecode_RoundTripRgbExactly()
    {
        using var image = randint(0, 256, [3, 5, 7]).to(ScalarType.Byte);

        var bytes = Png.Encode(image);
        using var decoded = ImageDecoder.Decode(bytes, "png");

        bytes.Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        RenderingFixture.Array(decoded).Should().Equal(RenderingFixture.Array(image));
    }

    [Fact]
    public void Write_CreatesTheFolderAndLeavesNoTemporaryFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "scouter-png-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var image = full(1, 3, 4, 128, dtype: ScalarType.Byte);
            var path = Path.Combine(folder, "sub", "mask.png");

            Png.Write(image, path);

            Directory.GetFiles(Path.Combine(folder, "sub")).Should().Equal(path);
            using var decoded = ImageDecoder.Decode(File.ReadAllBytes(path), "png", rgb: false);
            decoded.shape.Should().Equal(1, 3, 4);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Encode_RefusesFourChannelImages()
    {
        using var image = zeros(4, 2, 2, dtype: ScalarType.Byte);
        var act = () => Png.Encode(image);
        act.Should().Throw<ArgumentException>().WithMessage("*greyscale or RGB*[4, 2, 2]*");
    }
}
