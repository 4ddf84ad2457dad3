using Scouter.Core.Backbones;
using Scouter.Harness;
using TorchSharp;

namespace Scouter.Core.Tests.Harness;

public sealed class TrainingStepBenchmarkTests
{
    // A two-layer CNN registered once, so the benchmarks run in milliseconds: 1×16×16 images → 8×7×7 maps.
    internal const string TinyBackbone = "perf_tests_tiny_cnn";

    static TrainingStepBenchmarkTests() => RegisterTinyBackbone();

    internal static void RegisterTinyBackbone() =>
        BackboneRegistry.Default.Register(
            TinyBackbone,
            inputChannels => Backbone.FromModule(TinyBackbone, torch.nn.Sequential(torch.nn.Conv2d(inputChannels, 8, 3, stride: 2), torch.nn.ReLU()), channels: 8, inputChannels: inputChannels),
            replace: true);

    internal static TrainingBenchmarkOptions Tiny(bool useSlot = true) => new()
    {
        Backbone = TinyBackbone,
        InputChannels = 1,
        ImageSize = 16,
        BatchSize = 2,
        NumClasses = 3,
        SlotsPerClass = 2,
        HiddenDim = 4,
        UseSlot = useSlot,
        Threads = 1,
        WarmupSteps = 1,
        TrainingSteps = 3,
        EvalSteps = 2,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Run_TimesEveryRequestedStepAndReportsTheConfiguration(bool useSlot)
    {
        var threadsBefore = torch.get_num_threads();
        try
        {
            var result = TrainingStepBenchmark.Run(Tiny(useSlot));

            result.TrainingStep.Count.Should().Be(3);
            result.EvalForward.Count.Should().Be(2);
            result.TrainingStepCpu.Count.Should().Be(3);
            result.TrainingStep.Milliseconds.Should().OnlyContain(ms => ms > 0);
            result.MedianTrainingStepMs.Should().Be(result.TrainingStep.Median);
            result.Threads.Should().Be(1);
            result.Options.UseSlot.Should().Be(useSlot);
            result.PeakRssBytes.Should().BeGreaterThan(0);
            result.ProcessThreads.Should().BeGreaterThan(1);

            // conv 8·1·9 + 8; head: conv1x1 4·8 + 4, slots 6·4, to_k 4·4 + 4, GRU 2·(3·4·4 + 3·4) = 120; FC: 8·3 + 3.
            result.TrainableParameters.Should().Be(useSlot ? 80 + 36 + 24 + 20 + 120 : 80 + 27);
        }
        finally
        {
            torch.set_num_threads(threadsBefore);
        }
    }

    [Fact]
    public void Run_RejectsOutOfRangeOptionsNamingThem()
    {
        var options = Tiny();
        options.BatchSize = 0;
        options.TrainingSteps = 0;

        var act = () => TrainingStepBenchmark.Run(options);

        act.Should().Throw<ArgumentException>().WithMessage("*BatchSize must be at least 1; got 0*TrainingSteps must be at least 1; got 0*");
    }

    [Fact]
    public void Preset_UnknownName_ListsThePresets()
    {
        var act = () => TrainingBenchmarkOptions.Preset("mnist999");

        act.Should().Throw<ArgumentException>().WithMessage("*'mnist999'*mnist260, r18_64, resnest260, mnist64*");
    }

    [Fact]
    public void Preset_Resnest260_IsTheImageNetRecipeAtBatch4()
    {
        var options = TrainingBenchmarkOptions.Preset("RESNEST260");

        options.Backbone.Should().Be("resnest26d");
        (options.InputChannels, options.ImageSize, options.BatchSize, options.SlotsPerClass).Should().Be((3, 260, 4, 1));
        options.ToString().Should().Be("resnest26d 3ch 260px b4 xslot n10 s1");
    }
}
