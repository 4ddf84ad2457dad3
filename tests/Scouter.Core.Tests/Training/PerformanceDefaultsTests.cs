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

    [Fact]
    public void FreedMemoryReuse_OnLinuxOnly() =>
        PerformanceDefaults.FreedMemoryReuse().Enabled.Should().Be(OperatingSystem.IsLinux());
}
