using Scouter.Core.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// The one place that decides the speed settings a process should run with on the machine it runs on: whether
/// convolution weights go channels-last (<see cref="ChannelsLast"/>) and whether glibc keeps freed memory for reuse
/// (<see cref="NativeAllocator"/>). Applications (the CLI among them) apply what it returns unless the user said
/// otherwise; the rule and the measurements behind it are in docs/performance.md.
/// </summary>
/// <remarks>
/// Channels-last is chosen only where it was measured to win: CPU runs whose oneDNN and ATen kernels are AVX-512
/// (<see cref="CpuKernelSupport"/>) on a CPU that describes its caches, a ResNet-family backbone, and images of at
/// least <see cref="ChannelsLastMinImageSize"/> pixels; for this process's own CPU, channels-last convolutions must
/// also pass <see cref="ConvolutionSelfCheck.ChannelsLastCpu"/>. On AVX2 CPUs oneDNN's channels-last kernels were slower than the
/// plain layout, and ResNeSt's split attention copies channels-last tensors; everywhere else (other backbones, GPUs,
/// CPUs not measured) the plain layout is kept, which is never slower than itself. A model that only runs forward
/// passes (explanation, inference) has its own rule, <see cref="InferenceConvolutionLayout"/>: channels-last won there
/// with AVX2 and AVX-512 kernels and at 64 px as at 224 px.
/// </remarks>
public static class PerformanceDefaults
{
    /// <summary>The smallest image side for which <see cref="ConvolutionLayout"/> chooses channels-last.</summary>
    public const int ChannelsLastMinImageSize = 128;

    /// <summary>Whether convolution weights should be channels-last for this model on this machine.</summary>
    /// <param name="backbone">The backbone's registry name (<c>resnet18</c>, <c>resnest26d</c>, …).</param>
    /// <param name="imageSize">The side of the (square) images the model sees.</param>
    /// <param name="device">Where the model runs; null for the CPU.</param>
    /// <param name="kernels">The CPU's kernels; null for this process's (<see cref="CpuKernelSupport.Current"/>).</param>
    public static PerformanceChoice ConvolutionLayout(string backbone, int imageSize, Device? device = null, CpuKernelSupport? kernels = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (OnGpu(device) is { } gpu)
        {
            return gpu;
        }

        var thisProcess = kernels is null;
        kernels ??= CpuKernelSupport.Current;
        if (!kernels.IsAvx512)
        {
            return new PerformanceChoice(false, $"plain layout: LibTorch runs {kernels} here, where channels-last convolutions were slower");
        }

        return Unmeasured(backbone, kernels)
            ?? (imageSize < ChannelsLastMinImageSize ? new PerformanceChoice(false, $"plain layout: {imageSize} px images are below the {ChannelsLastMinImageSize} px from which channels-last pays") : null)
            ?? WrongResultsHere(thisProcess)
            ?? new PerformanceChoice(true, $"channels-last convolution weights: {backbone} at {imageSize} px with {kernels}");
    }

    /// <summary>
    /// Whether convolution weights should be channels-last for a model that only runs forward passes without gradients
    /// (eval mode under inference mode or <c>no_grad</c>: explanation, inference services), on this machine.
    /// </summary>
    /// <remarks>
    /// Forward passes gain from channels-last where training steps did not: the resnet18 explanation forward takes
    /// 0.74–0.82 of the plain layout's time with AVX2 and with AVX-512 kernels, at 64 px and at 224 px
    /// (docs/performance.md, "Inference and explanation speed"). So neither the instruction set nor the image size
    /// decides here; what still does is everything that would make the results wrong or the layout slower: a GPU
    /// (not measured), a CPU that hides its caches, a backbone outside the ResNet family, and for this process's own
    /// CPU a failing <see cref="ConvolutionSelfCheck.ChannelsLastCpu"/>. A model that is trained or differentiated
    /// (saliency baselines) takes <see cref="ConvolutionLayout"/> instead.
    /// </remarks>
    /// <param name="backbone">The backbone's registry name (<c>resnet18</c>, <c>resnest26d</c>, …).</param>
    /// <param name="device">Where the model runs; null for the CPU.</param>
    /// <param name="kernels">The CPU's kernels; null for this process's (<see cref="CpuKernelSupport.Current"/>).</param>
    public static PerformanceChoice InferenceConvolutionLayout(string backbone, Device? device = null, CpuKernelSupport? kernels = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (OnGpu(device) is { } gpu)
        {
            return gpu;
        }

        var thisProcess = kernels is null;
        kernels ??= CpuKernelSupport.Current;
        return Unmeasured(backbone, kernels) ?? WrongResultsHere(thisProcess)
            ?? new PerformanceChoice(true, $"channels-last convolution weights for inference: {backbone} with {kernels}");
    }

    private static PerformanceChoice? OnGpu(Device? device) =>
        device is not null && device.type != DeviceType.CPU
            ? new PerformanceChoice(false, $"plain layout: channels-last is only measured on CPUs, this model runs on {device}")
            : null;

    // Where channels-last computes wrong results or fails (a CPU that hides its caches, whatever the instruction set:
    // there oneDNN's AVX2 kernels pass the self-check and compute resnet18 right, yet fail on resnet50's shapes) or is
    // slower (ResNeSt), whatever the rule.
    private static PerformanceChoice? Unmeasured(string backbone, CpuKernelSupport kernels)
    {
        if (!kernels.ReportsCacheTopology)
        {
            return new PerformanceChoice(false, "plain layout: this CPU does not describe its caches (cpuid), and oneDNN's channels-last kernels compute wrong results or fail on such a machine");
        }

        return TorchVisionBackbones.Names.Contains(backbone, StringComparer.OrdinalIgnoreCase)
            ? null
            : new PerformanceChoice(false, $"plain layout: channels-last pays for the ResNet family only, not {backbone}");
    }

    // Wrong results are never a speed-up: this process's own channels-last convolutions must pass the self-check.
    private static PerformanceChoice? WrongResultsHere(bool thisProcess) =>
        thisProcess && !ConvolutionSelfCheck.ChannelsLastCpu.IsCorrect
            ? new PerformanceChoice(false, $"plain layout: channels-last convolutions compute wrong results here ({ConvolutionSelfCheck.ChannelsLastCpu.Failures})")
            : null;

    /// <summary>
    /// Whether a training or explanation process should keep freed native memory for reuse
    /// (<see cref="NativeAllocator.ReuseFreedMemory"/>): on Linux, where LibTorch allocates through glibc, yes. It
    /// removes page faults whatever the CPU; its cost is resident memory held at the run's peak.
    /// </summary>
    public static PerformanceChoice FreedMemoryReuse() =>
        OperatingSystem.IsLinux()
            ? new PerformanceChoice(true, "keep freed memory for reuse: glibc would return large activation buffers to the kernel and fault them in again every step")
            : new PerformanceChoice(false, "the allocator setting is for Linux with glibc only");
}
