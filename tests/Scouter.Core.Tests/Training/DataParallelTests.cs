using Microsoft.Extensions.Options;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class DataParallelTests
{
    // BatchNorm-free on purpose: with BatchNorm each replica normalises its own chunk, so gradients differ by design.
    private static ScouterModel NewModel(int seed = 3, bool useSlot = true)
    {
        manual_seed(seed);
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 8, 3, padding: 1)), ("act", nn.ReLU()), ("pool", nn.MaxPool2d(2)));
        ClassifierHead head = useSlot
            ? XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, HiddenDim = 8, NumClasses = 4, SlotsPerClass = 2 })
            : FcClassifierHead.Create(8, 4);
        return ScouterModel.Create(backbone, head);
    }

    private static Device[] Cpus(int count) => Enumerable.Range(0, count).Select(_ => CPU).ToArray();

    private static (Tensor Images, Tensor Labels) Batch(int size)
    {
        using var generator = new Generator(11);
        var images = rand([size, 3, 8, 8], generator: generator).DetachFromDisposeScope();
        var labels = randint(0, 4, [size], generator: generator, dtype: ScalarType.Int64).DetachFromDisposeScope();
        return (images, labels);
    }

    private static List<float[]> Gradients(ScouterModel model) =>
        model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();

    [Theory]
    [InlineData(2, 2.0, true)]
    [InlineData(3, 2.0, true)]
    [InlineData(3, 0.5, true)]
    [InlineData(2, 1.0, false)]
    public void Run_SummedGradientEqualsTheWholeBatchGradient(int replicas, double power, bool useSlot)
    {
        // 7 images: chunks 4+3 over two replicas and 3+3+1 over three, so the shares are unequal.
        var (images, labels) = Batch(7);
        using var _ = images;
        using var __ = labels;
        using var loss = ScouterLoss.Create(1.5, power);
        using var single = NewModel(useSlot: useSlot);
        using var main = NewModel(useSlot: useSlot);

        var reference = loss.call(single.ForwardDetailed(images), labels);
        reference.Total.backward();
        var accuracy = single.ForwardDetailed(images).Scores.argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();

        using var parallel = DataParallel.Create(main, loss, Cpus(replicas), () => NewModel(seed: 99, useSlot: useSlot));
        var step = parallel.Run(images, labels, training: true);

        var expected = Gradients(single);
        var actual = Gradients(main);
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Should().HaveCount(expected[i].Length);
            for (var k = 0; k < expected[i].Length; k++)
            {
                actual[i][k].Should().BeApproximately(expected[i][k], 1e-6f, $"parameter {i}, element {k}");
            }
        }

        step.Loss.Should().BeApproximately(reference.Total.item<float>(), 1e-6);
        step.Nll.Should().BeApproximately(reference.Nll.item<float>(), 1e-6);
        step.Area.Should().BeApproximately(reference.Area.item<float>(), 1e-6);
        step.Accuracy.Should().BeApproximately(accuracy, 1e-12);
        step.Samples.Should().Be(7);
    }

    [Fact]
    public void Run_Evaluation_LeavesNoGradientAndMatchesTheWholeBatch()
    {
        var (images, labels) = Batch(5);
        using var _ = images;
        using var __ = labels;
        using var loss = ScouterLoss.Create(1, 2);
        using var single = NewModel();
        using var main = NewModel();
        using var parallel = DataParallel.Create(main, loss, Cpus(2), () => NewModel(seed: 99));
        using var reference = loss.call(single.ForwardDetailed(images), labels);

        var step = parallel.Run(images, labels, training: false);

        step.Loss.Should().BeApproximately(reference.Total.item<float>(), 1e-6);
        main.parameters().Should().OnlyContain(p => ReferenceEquals(p.grad, null), "the replica threads ran without gradients");
        parallel.Replicas[1].parameters().Should().OnlyContain(p => ReferenceEquals(p.grad, null));
    }

    [Fact]
    public void Create_CopiesParametersFlagsAndBuffers_AndKeepsTheRandomStream()
    {
        using var main = NewModel();
        main.parameters().First().requires_grad_(false);
        manual_seed(123);
        var expected = rand(3).data<float>().ToArray();
        manual_seed(123);

        using var parallel = DataParallel.Create(main, ScouterLoss.Create(1, 2), Cpus(3), () => NewModel(seed: 99));

        rand(3).data<float>().ToArray().Should().Equal(expected, "building replicas must not consume the run's random numbers");
        for (var r = 1; r < 3; r++)
        {
            var replica = parallel.Replicas[r].parameters().ToList();
            var original = main.parameters().ToList();
            for (var i = 0; i < original.Count; i++)
            {
                replica[i].requires_grad.Should().Be(original[i].requires_grad);
                replica[i].data<float>().ToArray().Should().Equal(original[i].data<float>().ToArray());
            }
        }
    }

    [Fact]
    public void Create_RejectsAFactoryBuildingAnotherArchitecture()
    {
        using var main = NewModel();
        var act = () => DataParallel.Create(main, ScouterLoss.Create(1, 2), Cpus(2), () => NewModel(useSlot: false));
        act.Should().Throw<ArgumentException>().WithMessage("*differs from the one being trained*should be*found*");
    }

    [Theory]
    [InlineData(10, 4, new long[] { 3, 3, 3, 1 })]
    [InlineData(5, 4, new long[] { 2, 2, 1 })]
    [InlineData(8, 2, new long[] { 4, 4 })]
    [InlineData(1, 3, new long[] { 1 })]
    public void ChunkSizes_AreTorchChunks(long batch, int parts, long[] expected) =>
        // torch.arange(batch).chunk(parts) gives these lengths: ⌈batch / parts⌉ each, the last one smaller.
        DataParallel.ChunkSizes(batch, parts).Should().Equal(expected);

    [Fact]
    public void Trainer_WithTwoCpuReplicas_FollowsTheSingleDeviceTrajectory()
    {
        using var data = new ToyData();
        TrainingOptions Options(string? devices) => new()
        {
            Epochs = 2, LearningRate = 1e-3, BatchSize = 8, OutputDir = null, DatasetName = "Toy", Device = "cpu", Devices = devices,
        };

        using var single = NewModel();
        using var singleTrainer = new Trainer(single, ScouterLoss.Create(1, 2), Options(null));
        var singleHistory = singleTrainer.Fit(data);

        using var main = NewModel();
        using var parallelTrainer = new Trainer(main, ScouterLoss.Create(1, 2), Options("cpu,cpu"), replicaFactory: () => NewModel(seed: 99));
        var parallelHistory = parallelTrainer.Fit(data);

        parallelTrainer.Devices.Should().HaveCount(2);
        var expected = single.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        var actual = main.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], 1e-5f, $"parameter element {i} after 8 steps");
        }

        for (var e = 0; e < 2; e++)
        {
            parallelHistory[e].Train.Loss.Should().BeApproximately(singleHistory[e].Train.Loss, 1e-5);
            parallelHistory[e].Validation.Loss.Should().BeApproximately(singleHistory[e].Validation.Loss, 1e-5);
            parallelHistory[e].Validation.Accuracy.Should().Be(singleHistory[e].Validation.Accuracy);
            parallelHistory[e].Train.Samples.Should().Be(singleHistory[e].Train.Samples);
        }
    }

    [Fact]
    public void Trainer_WithReplicas_LeaksNoTensorAcrossEpochs()
    {
        using var data = new ToyData();
        using var model = NewModel();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2),
            new TrainingOptions { Epochs = 4, LearningRate = 1e-3, BatchSize = 8, OutputDir = null, DatasetName = "Toy", Device = "cpu", WorldSize = 2 },
            replicaFactory: () => NewModel(seed: 99));
        var counts = new List<long>();
        trainer.EpochCompleted += (_, _) => counts.Add(LiveTensors.Count());

        trainer.Fit(data);

        counts.Skip(1).Should().AllBeEquivalentTo(counts[1], $"live tensors after each epoch were {string.Join(", ", counts)}");
    }

    [Fact]
    public void Trainer_WithMoreDevicesThanImagesPerBatch_SaysSo()
    {
        using var model = NewModel();
        var act = () => new Trainer(model, ScouterLoss.Create(1, 2),
            new TrainingOptions { BatchSize = 2, OutputDir = null, Device = "cpu", WorldSize = 3 }, replicaFactory: () => NewModel());
        act.Should().Throw<OptionsValidationException>().WithMessage("*BatchSize (2) must be at least the number of data-parallel devices (3)*");
    }

    [Fact]
    public void Trainer_WithSeveralDevicesButNoFactory_SaysWhatIsMissing()
    {
        using var model = NewModel();
        var act = () => new Trainer(model, ScouterLoss.Create(1, 2), new TrainingOptions { BatchSize = 8, OutputDir = null, Devices = "cpu,cpu" });
        act.Should().Throw<ArgumentException>().WithMessage("*over 2 devices needs a replica factory*");
    }

    [Fact]
    public void Trainer_WithAMissingDevice_NamesItAndWhatIsAvailable()
    {
        using var model = NewModel();
        var act = () => new Trainer(model, ScouterLoss.Create(1, 2), new TrainingOptions { BatchSize = 8, OutputDir = null, Devices = "cpu,cuda:3" }, replicaFactory: () => NewModel());
        act.Should().Throw<OptionsValidationException>().WithMessage($"*TrainingOptions.Devices*'cuda:3'*Available here: {ComputeDevice.Available()}*");
    }
}
