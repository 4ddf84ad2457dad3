using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class PerformanceDefaultsTests
{
    private static readonly CpuKernelSupport Avx512 = new(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx512);
    private static readonly CpuKernelSupport Avx2 = new(OneDnnIsa.Avx2, AtenCpuCapability.Avx2);

    [Theory]
    [InlineData("resnet18", 260)]
    [InlineData("ResNet50", 224)]
    [InlineData("wide_resnet50_2", 128)]
    public void ChannelsLast_ForTheResNetFamilyOnAvx512(string backbone, int size)
    {
        var choice = PerformanceDefaults.ConvolutionLayout(backbone, size, CPU, Avx512);

        choice.Enabled.Should().BeTrue();
        choice.Reason.Should().Contain(backbone).And.Contain("avx512");
    }

    [Theory]
    [InlineData("resnet18", 260, "avx2")] // AVX2: oneDNN's channels-last kernels were slower
    [InlineData("resnest26d", 260, "ResNet family")]
    [InlineData("onnx:model.onnx", 260, "ResNet family")]
    [InlineData("resnet18", 64, "64 px")]
    public void PlainLayout_Elsewhere(string backbone, int size, string reason)
    {
        var kernels = reason == "avx2" ? Avx2 : Avx512;

        var choice = PerformanceDefaults.ConvolutionLayout(backbone, size, CPU, kernels);

        choice.Enabled.Should().BeFalse();
        choice.Reason.Should().StartWith("plain layout").And.Contain(reason);
    }

    [Fact]
    public void PlainLayout_WhenOnlyOneLibraryRunsAvx512()
    {
        PerformanceDefaults.ConvolutionLayout("resnet18", 260, CPU, new CpuKernelSupport(OneDnnIsa.Avx512Core, AtenCpuCapability.Avx2)).Enabled.Should().BeFalse();
        PerformanceDefaults.ConvolutionLayout("resnet18", 260, CPU, new CpuKernelSupport(OneDnnIsa.Avx2, AtenCpuCapability.Avx512)).Enabled.Should().BeFalse();
    }

    [Fact]
    public void PlainLayout_WhenTheCpuHidesItsCaches()
    {
        var choice = PerformanceDefaults.ConvolutionLayout("resnet18", 260, CPU, Avx512 with { ReportsCacheTopology = false });

        choice.Enabled.Should().BeFalse();
        choice.Reason.Should().Contain("caches");
    }

    [Fact]
    public void PlainLayout_OnAGpu()
    {
        var choice = PerformanceDefaults.ConvolutionLayout("resnet18", 260, new Device(DeviceType.CUDA, 0), Avx512);

        choice.Enabled.Should().BeFalse();
        choice.Reason.Should().Contain("cuda");
    }

    [Theory]
    [InlineData("resnet18", "avx2")]
    [InlineData("resnet18", "avx512")]
    [InlineData("ResNet50", "avx2")]
    [InlineData("resnext50_32x4d", "avx512")]
    public void InferenceChannelsLast_ForTheResNetFamilyWithEitherInstructionSet(string backbone, string isa)
    {
        var choice = PerformanceDefaults.InferenceConvolutionLayout(backbone, CPU, isa == "avx2" ? Avx2 : Avx512);

        choice.Enabled.Should().BeTrue();
        choice.Reason.Should().Contain("inference").And.Contain(backbone).And.Contain(isa);
    }

    [Fact]
    public void InferencePlainLayout_WhereChannelsLastWasWrongOrSlower()
    {
        // On a CPU that hides its caches oneDNN's AVX2 channels-last kernels pass the self-check yet crash on resnet50.
        PerformanceDefaults.InferenceConvolutionLayout("resnet18", CPU, Avx2 with { ReportsCacheTopology = false }).Reason.Should().StartWith("plain layout").And.Contain("caches");
        PerformanceDefaults.InferenceConvolutionLayout("resnet18", CPU, Avx512 with { ReportsCacheTopology = false }).Enabled.Should().BeFalse();
        PerformanceDefaults.InferenceConvolutionLayout("resnest26d", CPU, Avx512).Reason.Should().StartWith("plain layout").And.Contain("ResNet family");
        PerformanceDefaults.InferenceConvolutionLayout("onnx:model.onnx", CPU, Avx512).Enabled.Should().BeFalse();
        PerformanceDefaults.InferenceConvolutionLayout("resnet18", new Device(DeviceType.CUDA, 0), Avx512).Reason.Should().StartWith("plain layout").And.Contain("cuda");
    }

    [Fact]
    public void InferenceLayoutInThisProcess_NeverChannelsLastWhenItsSelfCheckFails()
    {
        var describesCaches = CpuKernelSupport.Current.ReportsCacheTopology;

        var choice = PerformanceDefaults.InferenceConvolutionLayout("resnet18");

        choice.Enabled.Should().Be(describesCaches && ConvolutionSelfCheck.ChannelsLastCpu.IsCorrect, choice.Reason);
        if (describesCaches && !ConvolutionSelfCheck.ChannelsLastCpu.IsCorrect)
        {
            choice.Reason.Should().Contain("wrong results here");
        }
    }

    [Fact]
    public void FreedMemoryReuse_OnLinuxOnly() =>
        PerformanceDefaults.FreedMemoryReuse().Enabled.Should().Be(OperatingSystem.IsLinux());
}
