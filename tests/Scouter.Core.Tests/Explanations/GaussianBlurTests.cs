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

    // IBA differentiates through the blur. LibTorch 2.10's single-channel convolution returns wrong input gradients
    // on some CPUs (docs/testing.md), so on such a machine this fails if the blur goes back to conv2d.
    [Theory]
    [InlineData(0.5, 3, 6, 8, ScalarType.Float32)] // IBA's smoothing in the region tests
    [InlineData(1.0, 5, 6, 8, ScalarType.Float32)]
    [InlineData(1.5, 11, 7, 5, ScalarType.Float32)] // wider than the image is high
    [InlineData(5.0, 11, 20, 24, ScalarType.Float32)] // the insertion metric's blur
    [InlineData(1.0, 5, 6, 8, ScalarType.Float64)]
    public void Apply_MatchesTheReplicatePaddedBlur_InValueAndGradient(double sigma, int size, int height, int width, ScalarType dtype)
    {
        manual_seed(5);
        using var images = rand(2, 3, height, width, dtype: dtype).requires_grad_(true);
        using var upstream = randn(2, 3, height, width, dtype: dtype);

        using var blurred = GaussianBlur.Apply(images, sigma, size);
        using var gradient = autograd.grad([blurred], [images], [upstream])[0];

        var kernel = Kernel(sigma, size);
        using var expected = Planewise(images.detach(), plane => Blur(plane, kernel));
        using var expectedGradient = Planewise(upstream, plane => BlurGradient(plane, kernel));
        var tolerance = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        TensorAssert.Close(blurred, expected, rtol: tolerance, atol: tolerance, because: "the blurred images");
        TensorAssert.Close(gradient, expectedGradient, rtol: tolerance, atol: tolerance, because: "the gradient with respect to the images");
    }

    private static double[] Kernel(double sigma, int size)
    {
        var weights = Enumerable.Range(0, size).Select(o => Math.Exp(-Math.Pow(o - (size / 2), 2) / (2 * sigma * sigma))).ToArray();
        var total = weights.Sum();
        return weights.Select(v => v / total).ToArray();
    }

    // y[i, j] = Σ_{p, q} k[p]·k[q]·x[clamp(i + p − r), clamp(j + q − r)], r = half the kernel.
    private static double[,] Blur(double[,] x, double[] k) => Accumulate(x, k, (y, xi, xj, yi, yj, weight) => y[yi, yj] += weight * x[xi, xj]);

    // The adjoint: every term of y[i, j] sends weight · g[i, j] back to the pixel it read.
    private static double[,] BlurGradient(double[,] g, double[] k) => Accumulate(g, k, (dx, xi, xj, yi, yj, weight) => dx[xi, xj] += weight * g[yi, yj]);

    private static double[,] Accumulate(double[,] source, double[] k, Action<double[,], int, int, int, int, double> add)
    {
        int h = source.GetLength(0), w = source.GetLength(1), r = k.Length / 2;
        var result = new double[h, w];
        for (var i = 0; i < h; i++)
        {
            for (var j = 0; j < w; j++)
            {
                for (var p = 0; p < k.Length; p++)
                {
                    for (var q = 0; q < k.Length; q++)
                    {
                        add(result, Math.Clamp(i + p - r, 0, h - 1), Math.Clamp(j + q - r, 0, w - 1), i, j, k[p] * k[q]);
                    }
                }
            }
        }

        return result;
    }

    private static Tensor Planewise(Tensor images, Func<double[,], double[,]> map)
    {
        long b = images.shape[0], c = images.shape[1];
        int h = (int)images.shape[2], w = (int)images.shape[3];
        using var doubles = images.to(ScalarType.Float64);
        var values = doubles.data<double>().ToArray();
        var output = new double[values.Length];
        for (var plane = 0; plane < b * c; plane++)
        {
            var x = new double[h, w];
            for (var i = 0; i < h; i++)
            {
                for (var j = 0; j < w; j++)
                {
                    x[i, j] = values[(plane * h * w) + (i * w) + j];
                }
            }

            var y = map(x);
            for (var i = 0; i < h; i++)
            {
                for (var j = 0; j < w; j++)
                {
                    output[(plane * h * w) + (i * w) + j] = y[i, j];
                }
            }
        }

        return tensor(output, [b, c, h, w], ScalarType.Float64);
    }
}
