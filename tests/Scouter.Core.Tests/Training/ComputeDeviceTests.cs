using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData(" cpu ")]
    public void Resolve_Cpu(string request) => ComputeDevice.Resolve(request).type.Should().Be(DeviceType.CPU);

    [Fact]
    public void Resolve_Auto_FallsBackToTheCpuWithoutCuda()
    {
        var device = ComputeDevice.Resolve("auto");
        device.type.Should().Be(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU);
        ComputeDevice.Resolve(null).type.Should().Be(device.type);
    }

    [Theory]
    [InlineData("gpu", "*not one of: auto, cpu, cuda, cuda:N*")]
    [InlineData("cuda:x", "*not of the form cuda:N*")]
    [InlineData("cuda:-1", "*not of the form cuda:N*")]
    public void Resolve_RejectsMalformedRequests(string request, string message)
    {
        var act = () => ComputeDevice.Resolve(request);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Resolve_RejectsACudaDeviceThisMachineLacks()
    {
        var act = () => ComputeDevice.Resolve("cuda:7");
        act.Should().Throw<ArgumentException>().WithMessage("*cuda:7*");
    }

    [Fact]
    public void ResolveAll_ParsesAnExplicitList()
    {
        var devices = ComputeDevice.ResolveAll("cpu, CPU");
        devices.Should().HaveCount(2).And.OnlyContain(d => d.type == DeviceType.CPU);
    }

    [Fact]
    public void ResolveAll_WorldSizeWithoutCuda_GivesCpuReplicas()
    {
        var devices = ComputeDevice.ResolveAll(null, 3, "cpu");
        devices.Should().HaveCount(3).And.OnlyContain(d => d.type == DeviceType.CPU);
        ComputeDevice.ResolveAll(null, 1, "cpu").Should().ContainSingle();
        if (!cuda.is_available())
        {
            ComputeDevice.ResolveAll(null, 2, "auto").Should().HaveCount(2).And.OnlyContain(d => d.type == DeviceType.CPU);
        }
    }

    [Fact]
    public void Resolve_CudaOnTheCpuBuild_NamesThePackageToReference()
    {
        if (cuda.is_available())
        {
            return; // the message under test is the one of a machine without CUDA
        }

        var act = () => ComputeDevice.Resolve("cuda");

        var expected = OperatingSystem.IsLinux() ? "TorchSharp-cuda-linux 0.107.0" : OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows 0.107.0" : null;
        ComputeDevice.CudaBackendPackage().Should().Be(expected);
        act.Should().Throw<ArgumentException>().WithMessage(expected is null
            ? "*CUDA is not available*no CUDA build for this operating system*"
            : $"*CUDA is not available here: this application carries LibTorch's CPU build only. Reference the package {expected} instead of TorchSharp-cpu*-p:TorchBackend=cuda-*Or use 'cpu'*");
    }

    [Theory]
    [InlineData("cpu,cuda:3", 1, "*'cuda:3'*Available here: *cpu*")]
    [InlineData("cpu,gpu", 1, "*'gpu'*not one of*")]
    [InlineData("cpu,auto", 1, "*'auto'*list concrete devices*")]
    [InlineData("cpu,cpu", 3, "*world size 3 disagrees*'cpu,cpu' of 2*")]
    public void ResolveAll_RejectsBadLists(string devices, int worldSize, string message)
    {
        var act = () => ComputeDevice.ResolveAll(devices, worldSize);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void ConfigureThreads_SetsTheCountAndDefaultsToPhysicalCores()
    {
        var original = get_num_threads();
        try
        {
            ComputeDevice.ConfigureThreads(1).Should().Be(1);
            ComputeDevice.ConfigureThreads().Should().Be(ComputeDevice.PhysicalCoreCount());
            ComputeDevice.PhysicalCoreCount().Should().BeInRange(1, Environment.ProcessorCount);
        }
        finally
        {
            set_num_threads(original);
        }
    }

    [Fact]
    public void ConfigureThreads_RejectsZero()
    {
        var act = () => ComputeDevice.ConfigureThreads(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
