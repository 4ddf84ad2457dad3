using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class ImagePreprocessorTests
{
    [Theory]
    [InlineData("L20", 20, 1)]
    [InlineData("RGB13", 13, 3)]
    public void Load_GivesThePilPipelinesModelInput_WithinOneLevel(string key, int size, int channels)
    {
        var preprocessor = ImagePreprocessor.Create(size, channels == 1 ? Normalization.Mnist : Normalization.ImageNet);
        using var expected = ImageFixtures.GetFloat("model_input", key);

        using var input = preprocessor.Load(ImageFixtures.ImagePath("pattern.png"));

        input.shape.Should().Equal(1, channels, size, size);
        // PIL resamples in 8-bit fixed point and LibTorch in float: one intensity level, in normalised units.
        var level = 1.0 / 255 / (channels == 1 ? 0.3081 : 0.224);
        TensorAssert.Close(input[0], expected, rtol: 0, atol: level * 1.0001, because: key);
    }

    [Fact]
    public void Apply_ConvertsColourToTheStemsOneChannel_AsTheFileReaderDoes()
    {
        var preprocessor = ImagePreprocessor.Create(20, Normalization.Mnist);
        using var rgb = ImageDecoder.Read(ImageFixtures.ImagePath("pattern.png"), rgb: true);

        using var fromTensor = preprocessor.Apply(rgb);
        using var fromFile = preprocessor.Load(ImageFixtures.ImagePath("pattern.png"));

        TensorAssert.Identical(fromTensor, fromFile).Should().BeTrue();
    }

    [Fact]
    public void Apply_RepeatsGreyForAnRgbModel_AndKeepsABatchInOrder()
    {
        var preprocessor = ImagePreprocessor.Create(16, Normalization.ImageNet);
        using var grey = ImageDecoder.Read(ImageFixtures.ImagePath("gray.png"), rgb: false);
        using var asRgb = ImageDecoder.Read(ImageFixtures.ImagePath("gray.png"), rgb: true);
        using var other = ImageDecoder.Read(ImageFixtures.ImagePath("gradient.png"), rgb: false);
        using var batch = stack([grey, other]);

        using var inputs = preprocessor.Apply(batch);
        using var expectedFirst = preprocessor.Transform.Apply(asRgb);
        using var otherAsRgb = ImageDecoder.Read(ImageFixtures.ImagePath("gradient.png"), rgb: false).expand(3, -1, -1).contiguous();
        using var expectedSecond = preprocessor.Transform.Apply(otherAsRgb);

        inputs.shape.Should().Equal(2, 3, 16, 16);
        TensorAssert.Identical(inputs[0], expectedFirst).Should().BeTrue();
        TensorAssert.Identical(inputs[1], expectedSecond).Should().BeTrue();
    }

    [Fact]
    public void Apply_RefusesWhatIsNotADecodedImage()
    {
        var preprocessor = ImagePreprocessor.Create(8, Normalization.ImageNet);
        using var floats = rand(3, 8, 8);
        using var rgba = zeros([4, 8, 8], ScalarType.Byte);

        preprocessor.Invoking(p => p.Apply(floats)).Should().Throw<ArgumentException>().WithMessage("*uint8*[3, 8, 8] Float32*");
        preprocessor.Invoking(p => p.Apply(rgba)).Should().Throw<ArgumentException>().WithMessage("*grey (1 channel) or RGB*alpha*");
        var augmenting = ImageTransform.Create(8, Normalization.ImageNet, augment: true);
        FluentActions.Invoking(() => ImagePreprocessor.For(augmenting)).Should().Throw<ArgumentException>().WithMessage("*augmenting*");
    }
}
