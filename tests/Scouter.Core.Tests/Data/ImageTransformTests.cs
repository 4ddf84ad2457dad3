using Scouter.Core.Data;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class ImageTransformTests
{
    [Theory]
    [InlineData(10, 7)]   // downscale: antialiasing matters
    [InlineData(13, 13)]
    [InlineData(64, 48)]  // upscale
    [InlineData(20, 30)]  // down in x, up in y
    public void Resize_MatchesPilBilinearWithinOneLevel(int width, int height)
    {
        using var source = ImageDecoder.Read(ImageFixtures.ImagePath("pattern.png"));
        using var expected = ImageFixtures.Get("resized", $"{width}x{height}");

        using var resized = ImageTransform.Resize(source, height, width);

        // PIL resamples in 8-bit fixed point; LibTorch in float. Rounded results agree to one level.
        TensorAssert.Close(resized, expected.to(ScalarType.Float32), rtol: 0, atol: 1.0, because: $"{width}x{height}");
    }

    [Fact]
    public void Apply_ScalesToUnitRangeThenNormalisesPerChannel()
    {
        // A solid image (R, G, B) = (255, 0, 51): [0,1] values 1, 0, 0.2.
        // ImageNet normalisation: (1 − 0.485)/0.229 = 2.2489083, (0 − 0.456)/0.224 = −2.0357143, (0.2 − 0.406)/0.225 = −0.9155556.
        using var image = stack([full([5, 4], 255, ScalarType.Byte), full([5, 4], 0, ScalarType.Byte), full([5, 4], 51, ScalarType.Byte)]);
        var transform = ImageTransform.Create(3, Normalization.ImageNet);

        using var output = transform.Apply(image);

        output.shape.Should().Equal(3, 3, 3);
        output.dtype.Should().Be(ScalarType.Float32);
        output[0].mean().item<float>().Should().BeApproximately(2.2489083f, 1e-5f);
        output[1].mean().item<float>().Should().BeApproximately(-2.0357143f, 1e-5f);
        output[2].mean().item<float>().Should().BeApproximately(-0.9155556f, 1e-5f);
    }

    [Fact]
    public void Apply_UsesMnistConstantsForOneChannel()
    {
        // 128/255 = 0.5019608; (0.5019608 − 0.1307)/0.3081 = 0.3712608/0.3081 = 1.2050009.
        using var image = full([1, 28, 28], 128, ScalarType.Byte);
        using var output = ImageTransform.Create(28, Normalization.Mnist).Apply(image);
        output.shape.Should().Equal(1, 28, 28);
        output.mean().item<float>().Should().BeApproximately(1.2050009f, 1e-5f);
    }

    [Fact]
    public void Apply_RejectsAChannelCountTheNormalisationDoesNotHave()
    {
        using var image = zeros([1, 8, 8], ScalarType.Byte);
        var act = () => ImageTransform.Create(8, Normalization.ImageNet).Apply(image);
        act.Should().Throw<ArgumentException>().WithMessage("*normalises 3 channel(s)*[1, 8, 8]*");
    }

    [Fact]
    public void Apply_RejectsFloatInput()
    {
        using var image = zeros([3, 8, 8]);
        var act = () => ImageTransform.Create(8, Normalization.ImageNet).Apply(image);
        act.Should().Throw<ArgumentException>().WithMessage("*uint8*Float32*");
    }

    [Fact]
    public void Apply_WithAugmentation_NeedsTheSampleGenerator()
    {
        using var image = zeros([3, 8, 8], ScalarType.Byte);
        var act = () => ImageTransform.Create(8, Normalization.ImageNet, augment: true).Apply(image);
        act.Should().Throw<ArgumentNullException>().WithMessage("*SeededRandom*");
    }

    [Fact]
    public void Apply_WithAugmentation_IsReproducibleFromTheSeed()
    {
        using var image = randint(0, 256, [3, 20, 20], ScalarType.Byte);
        var transform = ImageTransform.Create(16, Normalization.ImageNet, augment: true);

        using var a = transform.Apply(image, SeededRandom.For(7, 0, 3));
        using var b = transform.Apply(image, SeededRandom.For(7, 0, 3));
        using var plain = ImageTransform.Create(16, Normalization.ImageNet).Apply(image);

        a.eq(b).all().item<bool>().Should().BeTrue();
        var differing = Enumerable.Range(0, 20).Count(i =>
        {
            using var other = transform.Apply(image, SeededRandom.For(7, 0, 100 + i));
            return !other.eq(plain).all().item<bool>();
        });
        differing.Should().BeGreaterThan(15, "each of four parts applies with probability ½, so ~94% of samples change");
    }

    [Fact]
    public void Apply_FreesEverythingButTheResult()
    {
        using var image = randint(0, 256, [3, 30, 30], ScalarType.Byte);
        var transform = ImageTransform.Create(16, Normalization.ImageNet, augment: true);
        using (transform.Apply(image, SeededRandom.For(1, 0, 0)))
        {
        }

        var before = LiveTensors.Count();
        for (var i = 0; i < 10; i++)
        {
            using var output = transform.Apply(image, SeededRandom.For(1, 0, i));
        }

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Apply_LeavesNoScalarToTheFinalizer()
    {
        // Loader threads transform every image; a Scalar left to the finalizer can be freed while TorchSharp 0.107's
        // native call still reads it ("Expected false to be true" from c10::Scalar::toDouble in div_).
        var transform = ImageTransform.Create(48, Normalization.ImageNet);
        using var image = randint(0, 256, [3, 32, 40]).to(ScalarType.Byte);
        transform.Apply(image).Dispose(); // one-time initialisation outside the count

        using var listener = FinalizedScalars.Start();
        for (var i = 0; i < 3; i++)
        {
            transform.Apply(image).Dispose();
        }

        listener.CountAfterCollection().Should().Be(0);
    }
}
