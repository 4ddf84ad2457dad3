using Scouter.Core.Compat;
using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Checks that LibTorch computes small CPU convolutions correctly: outputs, input gradients and weight gradients of
/// convolutions whose channel counts are not a multiple of the CPU's vector width, which LibTorch 2.10's oneDNN
/// kernels get wrong on some CPUs (docs/testing.md, "Known LibTorch issues").
/// </summary>
/// <remarks>
/// Each probe runs a float32 <c>conv2d</c> forward and backward on fixed data (no random numbers are drawn, so the
/// global generator is untouched) and compares the results with the same convolution written as a sum of shifted
/// slices in float64, which involves no convolution kernel. The check takes milliseconds; <see cref="Cpu"/> runs it
/// once per process, and <see cref="Trainer"/> logs a warning when it fails.
/// </remarks>
public static class ConvolutionSelfCheck
{
    private static readonly Lazy<ConvolutionCheckResult> CpuResult = new(() => Run(ScalarType.Float32));
    private static readonly Lazy<ConvolutionCheckResult> ChannelsLastResult = new(() => RunChannelsLast(ScalarType.Float32));

    /// <summary>The check of float32 convolution on the CPU, run on first use and remembered for the process.</summary>
    public static ConvolutionCheckResult Cpu => CpuResult.Value;

    /// <summary>
    /// The check of float32 convolution on channels-last tensors on the CPU (<see cref="ChannelsLast"/>), run on first
    /// use and remembered for the process: 1×1 convolutions to 512 channels as ResNets have them, which oneDNN's
    /// channels-last kernels computed wrongly on a CPU that hides its caches (<see cref="CpuKernelSupport.ReportsCacheTopology"/>).
    /// <see cref="PerformanceDefaults"/> chooses channels-last only when it passes.
    /// </summary>
    public static ConvolutionCheckResult ChannelsLastCpu => ChannelsLastResult.Value;

    // Batch 2 on purpose: LibTorch gives single-image convolutions this small to its own kernels, not to oneDNN.
    internal static ConvolutionCheckResult Run(ScalarType dtype) =>
        new([
            // The shape of the separable blur's passes: one channel in and out.
            Probe("1→1 channels, 1×3 kernel, batch 2, 6×8", dtype, inChannels: 1, outChannels: 1, kernelH: 1, kernelW: 3, padding: 0),
            // More than one vector of channels but not a whole number of them (16 floats with AVX-512, 8 with AVX2).
            Probe("20→20 channels, 3×3 kernel, padding 1, batch 2, 6×8", dtype, inChannels: 20, outChannels: 20, kernelH: 3, kernelW: 3, padding: 1),
        ]);

    // A ResNet's shortcut projection (stride 2) and a bottleneck's expansion; the reference is a matrix product.
    internal static ConvolutionCheckResult RunChannelsLast(ScalarType dtype) =>
        new([
            PointwiseProbe("channels-last 256→512 channels, 1×1 kernel, stride 2, batch 2, 8×8", dtype, inChannels: 256, outChannels: 512, size: 8, batch: 2, stride: 2),
            PointwiseProbe("channels-last 128→512 channels, 1×1 kernel, batch 4, 16×16", dtype, inChannels: 128, outChannels: 512, size: 16, batch: 4, stride: 1),
        ]);

    private static ConvolutionProbe PointwiseProbe(string description, ScalarType dtype, long inChannels, long outChannels, long size, long batch, long stride)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        using var scalars = new ScalarScope();
        var outSize = ((size - 1) / stride) + 1;
        var x = Pattern([batch, inChannels, size, size], 0.37, scalars);
        var w = Pattern([outChannels, inChannels, 1, 1], 0.53, scalars).div(scalars.Of(Math.Sqrt(inChannels)));
        var g = Pattern([batch, outChannels, outSize, outSize], 0.71, scalars);

        var actual = Differentiate(ChannelsLast.Copy(x.to(dtype)), ChannelsLast.Copy(w.to(dtype)), g.to(dtype), (input, weight) => nn.functional.conv2d(input, weight, strides: [stride, stride]));
        var exact = Differentiate(x, w, g, (input, weight) =>
            einsum("bchw,oc->bohw", input.slice(2, 0, size, stride).slice(3, 0, size, stride), weight.flatten(1)));
        return new ConvolutionProbe(description, RelativeError(actual.Output, exact.Output), RelativeError(actual.Input, exact.Input), RelativeError(actual.Weight, exact.Weight));
    }

    private static ConvolutionProbe Probe(string description, ScalarType dtype, long inChannels, long outChannels, long kernelH, long kernelW, long padding)
    {
        const long batch = 2, height = 6, width = 8;
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        using var scalars = new ScalarScope();
        var x = Pattern([batch, inChannels, height, width], 0.37, scalars);
        var w = Pattern([outChannels, inChannels, kernelH, kernelW], 0.53, scalars);
        var g = Pattern([batch, outChannels, height + (2 * padding) - kernelH + 1, width + (2 * padding) - kernelW + 1], 0.71, scalars);

        var actual = Differentiate(x.to(dtype), w.to(dtype), g.to(dtype), (input, weight) => nn.functional.conv2d(input, weight, padding: [padding, padding]));
        var exact = Differentiate(x, w, g, (input, weight) => ShiftedSum(input, weight, padding));
        return new ConvolutionProbe(description, RelativeError(actual.Output, exact.Output), RelativeError(actual.Input, exact.Input), RelativeError(actual.Weight, exact.Weight));
    }

    // sin(k·step), k = 0, 1, …: fixed values in [−1, 1] without structure a wrong kernel could happen to respect.
    private static Tensor Pattern(long[] shape, double step, ScalarScope scalars) =>
        scalars.Range(shape.Aggregate(1L, (a, b) => a * b), ScalarType.Float64).mul(scalars.Of(step)).sin().view(shape);

    private static (Tensor Output, Tensor Input, Tensor Weight) Differentiate(Tensor x, Tensor w, Tensor upstream, Func<Tensor, Tensor, Tensor> convolution)
    {
        var input = x.detach().requires_grad_(true);
        var weight = w.detach().requires_grad_(true);
        var output = convolution(input, weight);
        var gradients = autograd.grad([output], [input, weight], [upstream]);
        return (output.detach(), gradients[0], gradients[1]);
    }

    // y[b, o, i, j] = Σ_{c, p, q} w[o, c, p, q] · x_padded[b, c, i + p, j + q], one kernel tap at a time.
    private static Tensor ShiftedSum(Tensor x, Tensor w, long padding)
    {
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        long outChannels = w.shape[0], inChannels = w.shape[1], kernelH = w.shape[2], kernelW = w.shape[3];
        long outH = padded.shape[2] - kernelH + 1, outW = padded.shape[3] - kernelW + 1;
        Tensor? sum = null;
        for (var p = 0; p < kernelH; p++)
        {
            for (var q = 0; q < kernelW; q++)
            {
                var window = padded.narrow(2, p, outH).narrow(3, q, outW).unsqueeze(1); // [B, 1, C, h, w]
                var tap = w.select(3, q).select(2, p).view(1, outChannels, inChannels, 1, 1);
                var term = (window * tap).sum([2L]);
                sum = sum is null ? term : sum.Plus(term);
            }
        }

        return sum!;
    }

    private static double RelativeError(Tensor actual, Tensor exact)
    {
        using var scope = NewDisposeScope();
        var error = (actual.to(ScalarType.Float64) - exact).abs().max().item<double>();
        return error / exact.abs().max().item<double>();
    }
}
