using Scouter.Core.Data;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class AugmentationTests
{
    private static Tensor Ramp() => arange(2 * 4 * 6, ScalarType.Float32).reshape(2, 4, 6);

    [Fact]
    public void HorizontalFlip_MirrorsColumns()
    {
        using var image = Ramp();
        using var flipped = Augmentation.HorizontalFlip(image, new SeededRandom(0));
        flipped[0, 0, 0].item<float>().Should().Be(5f);   // first row 0..5 → 5..0
        flipped[1, 3, 5].item<float>().Should().Be(42f);  // channel 1 starts at 24; row 3 starts at 42
    }

    [Fact]
    public void VerticalFlip_MirrorsRows()
    {
        using var image = Ramp();
        using var flipped = Augmentation.VerticalFlip(image, new SeededRandom(0));
        flipped[0, 0, 0].item<float>().Should().Be(18f);  // row 3 of channel 0 starts at 18
    }

    [Fact]
    public void Affine_WithIdentityParameters_LeavesTheImage()
    {
        using var image = Ramp();
        using var same = Augmentation.Affine(image, 0, 0, 0, 1, 1);
        TensorAssert.Close(same, image, rtol: 0, atol: 1e-5);
    }

    [Fact]
    public void Affine_TranslatesByAFractionOfTheSize()
    {
        // A single bright pixel at (row 5, col 4) of a 20×20 image, shifted right by 0.1·20 = 2 and down by 0.05·20 = 1.
        using var image = zeros([1, 20, 20]);
        image[0, 5, 4] = 1f;
        using var moved = Augmentation.Affine(image, 0, 0.1, 0.05, 1, 1);
        moved[0, 6, 6].item<float>().Should().Be(1f);
        moved.sum().item<float>().Should().Be(1f);
    }

    [Fact]
    public void Affine_RotatesCounterClockwiseOnScreen()
    {
        // 90° counter-clockwise about the centre of a 21×21 image takes the pixel right of the centre (row 10, col 15)
        // to the one above it (row 5, col 10).
        using var image = zeros([1, 21, 21]);
        image[0, 10, 15] = 1f;
        using var turned = Augmentation.Affine(image, 90, 0, 0, 1, 1);
        turned[0, 5, 10].item<float>().Should().Be(1f);
    }

    [Fact]
    public void Affine_FillsUncoveredPixelsWithZero()
    {
        using var image = ones([1, 10, 10]);
        using var shrunk = Augmentation.Affine(image, 0, 0, 0, 0.5, 0.5);
        shrunk[0, 0, 0].item<float>().Should().Be(0f);
        shrunk[0, 5, 5].item<float>().Should().Be(1f);
    }

    [Fact]
    public void GaussianBlur_KeepsAConstantImageAndSpreadsAnImpulse()
    {
        using var constant = full([3, 12, 12], 7f);
        using var blurredConstant = Augmentation.GaussianBlur(constant, 1.5);
        TensorAssert.Close(blurredConstant, constant, rtol: 1e-5, atol: 1e-5);

        // An impulse far from the border: its mass is kept, its peak drops to 1/(2πσ²) ≈ 0.0707 for σ = 1.5
        // (the discrete kernel is normalised, so the peak is the squared centre weight, 0.2661² = 0.0708).
        using var impulse = zeros([1, 21, 21]);
        impulse[0, 10, 10] = 1f;
        using var spread = Augmentation.GaussianBlur(impulse, 1.5);
        spread.sum().item<float>().Should().BeApproximately(1f, 1e-5f);
        spread[0, 10, 10].item<float>().Should().BeApproximately(0.0708f, 5e-4f);
    }

    [Fact]
    public void GaussianBlur_WithTinySigma_IsIdentity()
    {
        using var image = Ramp();
        using var same = Augmentation.GaussianBlur(image, 0.05);
        TensorAssert.Close(same, image, rtol: 0, atol: 0);
    }

    [Fact]
    public void Apply_SameGeneratorState_SameResult_AndEachPartAppliesAboutHalfTheTime()
    {
        using var image = randn([3, 16, 16]);
        using var a = Augmentation.Apply(image, SeededRandom.For(3, 1, 4));
        using var b = Augmentation.Apply(image, SeededRandom.For(3, 1, 4));
        a.eq(b).all().item<bool>().Should().BeTrue();

        // With four parts each at ½, a sample is unchanged with probability 1/16 (6.25%).
        var unchanged = Enumerable.Range(0, 400).Count(i =>
        {
            using var output = Augmentation.Apply(image, SeededRandom.For(3, 1, i));
            return output.eq(image).all().item<bool>();
        });
        unchanged.Should().BeInRange(10, 45);
    }
}
