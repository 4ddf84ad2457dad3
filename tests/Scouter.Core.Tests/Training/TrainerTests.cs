using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string outputDir = Directory.CreateTempSubdirectory("scouter-trainer-").FullName;

    public void Dispose() => Directory.Delete(outputDir, recursive: true);

    private static ScouterModel NewModel(int seed = 3, bool useSlot = true, ScouterPolarity polarity = ScouterPolarity.Positive)
    {
        manual_seed(seed);
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 8, 3, padding: 1)), ("act", nn.ReLU()), ("pool", nn.MaxPool2d(2)));
        ClassifierHead head = useSlot
            ? XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, HiddenDim = 8, NumClasses = 4, SlotsPerClass = 1, Polarity = polarity })
            : FcClassifierHead.Create(8, 4);
        return ScouterModel.Create(backbone, head);
    }

    private TrainingOptions Options(int epochs, Action<TrainingOptions>? change = null, bool resume = false)
    {
        var options = new TrainingOptions
        {
        Epochs = epochs,
        LearningRate = 1e-2,
        LrDrop = 2,
        BatchSize = 8,
        OutputDir = outputDir,
        DatasetName = "Toy",
        Device = "cpu",
        Resume = resume,
        };
        change?.Invoke(options);
        return options;
    }

    private static float[] Flatten(ScouterModel model) =>
        model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Fact]
    public void LearningRate_FollowsTorchSharpsStepLR()
    {
        using var model = NewModel();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(10));
        using var probe = nn.Linear(1, 1);
        using var reference = optim.AdamW(probe.parameters(), lr: 1e-2);
        var scheduler = optim.lr_scheduler.StepLR(reference, step_size: 2, gamma: 0.1);

        for (var epoch = 0; epoch < 7; epoch++)
        {
            trainer.LearningRateAt(epoch).Should().BeApproximately(reference.ParamGroups.First().LearningRate, 1e-15, $"epoch {epoch}");
            scheduler.step();
        }
    }

    [Fact]
    public void Fit_LearnsTheToyTaskAndReportsEveryEpoch()
    {
        using var data = new ToyData();
        using var model = NewModel();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(6, o => { o.LrDrop = 70; }));
        var reports = new List<TrainingProgress>();
        var completed = new List<int>();
        trainer.EpochCompleted += (_, m) => completed.Add(m.Epoch);

        var history = trainer.Fit(data, new SynchronousProgress<TrainingProgress>(reports.Add));

        history.Select(h => h.Epoch).Should().Equal(0, 1, 2, 3, 4, 5);
        completed.Should().Equal(0, 1, 2, 3, 4, 5);
        history[^1].Train.Loss.Should().BeLessThan(history[0].Train.Loss);
        history[^1].Train.Batches.Should().Be(4, "32 training images in batches of 8, drop_last");
        history[^1].Validation.Samples.Should().Be(16);
        reports.Count(r => r.Phase == TrainingPhase.Train).Should().Be(6 * 4);
        reports.Count(r => r.Phase == TrainingPhase.Validation).Should().Be(6 * 2);
        reports.Last().Steps.Should().Be(2);
    }

    [Fact]
    public void Fit_IsReproducibleForAGivenSeed()
    {
        using var data = new ToyData();
        IReadOnlyList<EpochMetrics> Run(out float[] weights)
        {
            using var model = NewModel(seed: 9);
            using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(3, o => { o.OutputDir = null; }));
            var history = trainer.Fit(data);
            weights = Flatten(model);
            return history;
        }

        var first = Run(out var firstWeights);
        var second = Run(out var secondWeights);

        second.Select(m => m.Train.Loss).Should().Equal(first.Select(m => m.Train.Loss));
        secondWeights.Should().Equal(firstWeights);
    }

    [Fact]
    public void Resume_ContinuesTheSameTrajectoryAsAnUninterruptedRun()
    {
        using var data = new ToyData();
        var store = new OfficialCheckpointStore();

        // Uninterrupted: 5 epochs (the learning rate drops after epochs 2 and 4, so the schedule is restored too).
        using var reference = NewModel(seed: 21);
        using (var trainer = new Trainer(reference, ScouterLoss.Create(1, 2), Options(5, o => { o.OutputDir = null; })))
        {
            trainer.Fit(data);
        }

        // Interrupted after 3 epochs, then a fresh process: new model (other init), new trainer, resume.
        using (var first = NewModel(seed: 21))
        using (var trainer = new Trainer(first, ScouterLoss.Create(1, 2), Options(3), store))
        {
            trainer.Fit(data);
        }

        using var resumed = NewModel(seed: 77);
        using var second = new Trainer(resumed, ScouterLoss.Create(1, 2), Options(5, resume: true), store);
        var history = second.Fit(data);

        history.Select(h => h.Epoch).Should().Equal(3, 4);
        history[0].LearningRate.Should().BeApproximately(1e-3, 1e-12);
        var expected = Flatten(reference);
        var actual = Flatten(resumed);
        actual.Length.Should().Be(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], 1e-6f, $"parameter element {i}");
        }
    }

    [Fact]
    public void Checkpoints_FollowTheOfficialNamingPlusBest()
    {
        using var data = new ToyData();
        var store = new RecordingStore(new OfficialCheckpointStore());
        using var model = NewModel(polarity: ScouterPolarity.Negative);
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(4, o => { o.LrDrop = 3; o.NumberedCheckpointEvery = 10; }), store);

        trainer.Fit(data);

        store.SavedNames.Where(p => !p.EndsWith("_best.pth", StringComparison.Ordinal)).Should().Equal(
            "Toy_use_slot_negative_checkpoint.pth",
            "Toy_use_slot_negative_checkpoint.pth",
            "Toy_use_slot_negative_checkpoint.pth",
            "Toy_use_slot_negative_checkpoint0002.pth", // (epoch + 1) % lr_drop == 0
            "Toy_use_slot_negative_checkpoint.pth");
        store.SavedNames.Should().Contain("Toy_use_slot_negative_checkpoint_best.pth");
    }

    [Theory]
    [InlineData("MNIST", true, ScouterPolarity.Positive, "MNIST_use_slot_checkpoint.pth")]
    [InlineData("CUB200", true, ScouterPolarity.Negative, "CUB200_use_slot_negative_checkpoint.pth")]
    [InlineData("ImageNet", false, ScouterPolarity.Negative, "ImageNet_no_slot_checkpoint.pth")]
    public void CheckpointNames_MatchTheOfficialScheme(string dataset, bool useSlot, ScouterPolarity polarity, string expected)
    {
        CheckpointNames.Latest(dataset, useSlot, polarity).Should().Be(expected);
        CheckpointNames.Numbered(dataset, useSlot, polarity, 9).Should().Be(expected.Replace("checkpoint.pth", "checkpoint0009.pth"));
    }

    [Fact]
    public void Training_KeepsTheLiveTensorCountFlat()
    {
        using var data = new ToyData();
        using var model = NewModel();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(5), new DiscardingStore());
        var counts = new List<long>();
        trainer.EpochCompleted += (_, _) => counts.Add(LiveTensors.Count());

        trainer.Fit(data);

        // The first epoch allocates the optimizer state; after that nothing may accumulate.
        counts.Skip(1).Should().AllBeEquivalentTo(counts[1], $"live tensors after each epoch were {string.Join(", ", counts)}");
    }

    [Fact]
    public void Fit_WithTooFewImagesForOneBatch_SaysSo()
    {
        using var data = new ToyData(count: 12, trainCount: 4, batchSize: 8);
        using var model = NewModel();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(1, o => { o.OutputDir = null; }));

        var act = () => trainer.Fit(data);

        act.Should().Throw<InvalidOperationException>().WithMessage("*training data produced no batch*drop_last*");
    }

    [Fact]
    public void Fit_WithAnOutputFolderThatIsAFile_FailsBeforeTheFirstBatch()
    {
        using var data = new ToyData();
        using var model = NewModel();
        var file = Path.Combine(outputDir, "a-file");
        File.WriteAllText(file, "not a folder");
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(1, o => { o.OutputDir = file; }), new DiscardingStore());
        var reports = new List<TrainingProgress>();

        var act = () => trainer.Fit(data, new SynchronousProgress<TrainingProgress>(reports.Add));

        act.Should().Throw<Scouter.Core.IO.UnwritablePathException>().WithMessage("*a-file' is a file; a folder is needed here*");
        reports.Should().BeEmpty("not one batch may be trained that could not be saved");
        File.ReadAllText(file).Should().Be("not a folder");
    }

    [Fact]
    public void Fit_RemovesTemporaryFilesOfKilledWriters_OnlyOursAndOnlyOlderThanTheRun()
    {
        using var data = new ToyData();
        using var model = NewModel();
        var orphan = Path.Combine(outputDir, $".Toy_use_slot_checkpoint.pth.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(outputDir, ".notes.tmp");
        var fresh = Path.Combine(outputDir, $".other.pth.{Guid.NewGuid():N}.tmp");
        foreach (var path in new[] { orphan, notOurs, fresh })
        {
            File.WriteAllText(path, "partial");
        }

        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddMinutes(-5));
        File.SetLastWriteTimeUtc(notOurs, DateTime.UtcNow.AddMinutes(-5));
        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddMinutes(5)); // a writer still at work, as far as times tell
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), Options(1), new DiscardingStore());

        trainer.Fit(data);

        File.Exists(orphan).Should().BeFalse("a killed writer's temporary file is removed when the next run starts");
        File.Exists(notOurs).Should().BeTrue("a file not named as our temporaries is not ours");
        File.Exists(fresh).Should().BeTrue("a temporary file written since the run started may be another writer's, still at work");
    }

    [Fact]
    public void Constructor_RejectsAFullyFrozenModel()
    {
        using var model = NewModel();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad_(false);
        }

        var act = () => new Trainer(model, ScouterLoss.Create(1, 2), Options(1));

        act.Should().Throw<ArgumentException>().WithMessage("*no trainable parameters*");
    }

    [Fact]
    public void Constructor_RejectsInvalidOptionsNamingThem()
    {
        using var model = NewModel();
        var act = () => new Trainer(model, ScouterLoss.Create(1, 2), Options(0, o => { o.Device = "cuda:3"; }));
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("*Epochs must be at least 1; got 0*")
            .WithMessage("*Device: Device 'cuda:3' was requested but CUDA is not available*");
    }

    /// <summary>Accepts checkpoints and keeps nothing, so only the trainer's own tensors are counted.</summary>
    private sealed class DiscardingStore : ICheckpointStore
    {
        public void Save(string path, TrainingCheckpoint checkpoint) => checkpoint.Model.Should().NotBeEmpty();

        public TrainingCheckpoint Load(string path) => throw new FileNotFoundException(path);
    }
}
