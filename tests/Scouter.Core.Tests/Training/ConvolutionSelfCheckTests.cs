using Microsoft.Extensions.Logging;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class ConvolutionSelfCheckTests
{
    [Fact]
    public void Probes_AreExact_InFloat64()
    {
        // LibTorch computes float64 convolutions with its own kernels, never oneDNN's: agreement to rounding shows that
        // the shifted-slice reference, the data and the upstream gradient of every probe are right.
        var result = ConvolutionSelfCheck.Run(ScalarType.Float64);

        result.Probes.Should().HaveCount(2);
        foreach (var probe in result.Probes)
        {
            probe.ForwardError.Should().BeLessThan(1e-12, probe.Description);
            probe.InputGradientError.Should().BeLessThan(1e-12, probe.Description);
            probe.WeightGradientError.Should().BeLessThan(1e-12, probe.Description);
        }

        result.IsCorrect.Should().BeTrue();
        result.Failures.Should().BeEmpty();
    }

    [Fact]
    public void ChannelsLastProbes_AreExact_InFloat64()
    {
        // Float64 convolutions do not reach oneDNN: agreement with the matrix-product reference checks the probes.
        var result = ConvolutionSelfCheck.RunChannelsLast(ScalarType.Float64);

        result.Probes.Select(p => p.Description).Should().Equal(
            "channels-last 256→512 channels, 1×1 kernel, stride 2, batch 2, 8×8", "channels-last 128→512 channels, 1×1 kernel, batch 4, 16×16");
        foreach (var probe in result.Probes)
        {
            probe.ForwardError.Should().BeLessThan(1e-12, probe.Description);
            probe.InputGradientError.Should().BeLessThan(1e-12, probe.Description);
            probe.WeightGradientError.Should().BeLessThan(1e-12, probe.Description);
        }
    }

    [Fact]
    public void ChannelsLastCpu_IsRunOnce_AndDecidesTheDefaultLayoutOfThisProcess()
    {
        var result = ConvolutionSelfCheck.ChannelsLastCpu;

        ConvolutionSelfCheck.ChannelsLastCpu.Should().BeSameAs(result);
        result.IsCorrect.Should().Be(result.Probes.All(p => p.IsCorrect));
        var kernels = CpuKernelSupport.Current;
        if (kernels.IsAvx512 && kernels.ReportsCacheTopology)
        {
            PerformanceDefaults.ConvolutionLayout("resnet18", 260).Enabled.Should().Be(result.IsCorrect);
        }
        else
        {
            PerformanceDefaults.ConvolutionLayout("resnet18", 260).Enabled.Should().BeFalse();
        }
    }

    [Fact]
    public void Cpu_IsRunOnceAndReportsEveryWrongProbe()
    {
        var result = ConvolutionSelfCheck.Cpu;

        ConvolutionSelfCheck.Cpu.Should().BeSameAs(result);
        result.Probes.Select(p => p.Description).Should().Equal("1→1 channels, 1×3 kernel, batch 2, 6×8", "20→20 channels, 3×3 kernel, padding 1, batch 2, 6×8");
        result.IsCorrect.Should().Be(result.Probes.All(p => p.IsCorrect));
        foreach (var probe in result.Probes)
        {
            if (probe.IsCorrect)
            {
                result.Failures.Should().NotContain(probe.Description);
            }
            else
            {
                result.Failures.Should().Contain(probe.Failure);
            }
        }
    }

    [Fact]
    public void Probe_CountsNaNAsWrong_AndNamesWhatWasWrong()
    {
        new ConvolutionProbe("p", 1e-7, 5e-5, 0).IsCorrect.Should().BeTrue();
        new ConvolutionProbe("p", 1e-7, 5e-5, 0).Failure.Should().BeEmpty();

        var wrong = new ConvolutionProbe("p", 1e-7, double.NaN, 0.8);

        wrong.IsCorrect.Should().BeFalse();
        wrong.Failure.Should().Be("p: input gradient off by NaN, weight gradient off by 80%");
    }

    [Fact]
    public void Trainer_WarnsOnTheCpuExactlyWhenTheCheckFails()
    {
        manual_seed(1);
        using var model = ScouterModel.Create(nn.Sequential(("conv", nn.Conv2d(3, 4, 3))), FcClassifierHead.Create(4, 2));
        var logger = new ListLogger<Trainer>();

        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), new TrainingOptions { Epochs = 1, BatchSize = 2, Device = "cpu" }, logger: logger);

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("LibTorch computes some CPU convolutions wrongly")).ToList();
        if (ConvolutionSelfCheck.Cpu.IsCorrect)
        {
            warnings.Should().BeEmpty();
        }
        else
        {
            warnings.Should().ContainSingle().Which.Message.Should().Contain(ConvolutionSelfCheck.Cpu.Failures).And.Contain("ONEDNN_MAX_CPU_ISA=SSE41");
        }
    }
}
