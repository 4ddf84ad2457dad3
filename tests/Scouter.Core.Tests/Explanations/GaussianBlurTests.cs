using Scouter.Core.Explanations;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class GaussianBlurTests
{
    [Fact]
    public void Apply_SpreadsAnImpulseAsTheNormalisedSeparableGaussian()
    {
        // Kernel 3, σ = 1: weights e^{-1/2}, 1, e^{-1/2} over their sum; an impulse in the middle of a 5×5 image
        // becomes the outer product of that kernel with itself.
        using var impulse = zeros(1, 1, 5, 5);
        impulse[0, 0, 2, 2] = tensor(1f);

        using var blurred = GaussianBlur.Apply(impulse, 1, 3);

        var e = Math.Exp(-0.5);
        var k = new[] { e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e) };
        blurred[0, 0, 2, 2].item<float>().Should().BeApproximately((float)(k[1] * k[1]), 1e-6f);
        blurred[0, 0, 1, 2].item<float>().Should().BeApproximately((float)(k[0] * k[1]), 1e-6f);
        blurred[0, 0, 1, 3].item<float>().Should().BeApproximately((float)(k[0] * k[2]), 1e-6f);
        blurred.sum().item<float>().Should().BeApproximately(1f, 1e-6f);
    }

    [Fact]
    public void Apply_KeepsAConstantImageConstant_EvenWithAKernelLargerThanTheImage()
    {
        using var image = full(2, 3, 2, 3, 0.7f);
        using var blurred = GaussianBlur.Apply(image, 5);
        TensorAssert.Close(blurred, image, rtol: 0, atol: 1e-6);
    }
}
