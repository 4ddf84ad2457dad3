using Scouter.Harness;
using TorchSharp;

namespace Scouter.Core.Tests.Harness;

public sealed class MemorySoakTests
{
    static MemorySoakTests() => TrainingStepBenchmarkTests.RegisterTinyBackbone();

    [Fact]
    public void Training_SamplesBaselineEveryNthAndLastStep_WithoutLeakingTensors()
    {
        var threadsBefore = torch.get_num_threads();
        var result = MemorySoak.Training(TrainingStepBenchmarkTests.Tiny(), steps: 25, baselineStep: 5, sampleEvery: 10);
        torch.set_num_threads(threadsBefore);

        result.Kind.Should().Be(MemorySoakKind.Training);
        result.Samples.Select(s => s.Step).Should().Equal(5, 10, 20, 25);
        result.Baseline.Step.Should().Be(5);
        result.Final.Step.Should().Be(25);
        result.Baseline.ResidentBytes.Should().BeGreaterThan(0);
        result.LiveTensorGrowth.Should().Be(0, "every step runs in its own dispose scope");
        result.RssGrowth.Should().Be((double)result.Final.ResidentBytes / result.Baseline.ResidentBytes - 1.0);
    }

    [Fact]
    public void Explanations_RepeatsForwardAndMapsWithoutLeakingTensors()
    {
        var threadsBefore = torch.get_num_threads();
        var result = MemorySoak.Explanations(TrainingStepBenchmarkTests.Tiny(), calls: 12, baselineCall: 2, sampleEvery: 5);
        torch.set_num_threads(threadsBefore);

        result.Kind.Should().Be(MemorySoakKind.Explanations);
        result.Samples.Select(s => s.Step).Should().Equal(2, 5, 10, 12);
        result.LiveTensorGrowth.Should().Be(0);
    }

    [Fact]
    public void Explanations_WithTheFcHead_IsRejected()
    {
        var act = () => MemorySoak.Explanations(TrainingStepBenchmarkTests.Tiny(useSlot: false), calls: 3, baselineCall: 1);

        act.Should().Throw<ArgumentException>().WithMessage("*xSlot head*UseSlot = true*");
    }

    [Fact]
    public void Training_BaselineAtOrPastTheLastStep_IsRejected()
    {
        var act = () => MemorySoak.Training(TrainingStepBenchmarkTests.Tiny(), steps: 10, baselineStep: 10);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("baselineStep");
    }
}
