using System.Text.Json;
using Scouter.Core.Interop;
using Scouter.Core.Interop.Pickle;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class OfficialCheckpointStoreTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("scouter-store-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Training", name);

    /// <summary>The C# twin of make_resume_fixture.py's model: TinyBackbone (conv, bn, relu) + the xSlot head of official_args.</summary>
    private static ScouterModel TinyOfficialModel()
    {
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 6, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(6)), ("relu", nn.ReLU()));
        var options = new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 2, ToKLayers = 2, Polarity = ScouterPolarity.Negative };
        return ScouterModel.Create(backbone, XSlotClassifier.Create(options));
    }

    private sealed class OneBatch(Tensor images, Tensor labels) : ITrainingBatches
    {
        public int? TrainBatchCount => 1;

        public int? ValidationBatchCount => 1;

        public IEnumerable<LabeledBatch> TrainBatches(int epoch) => [new LabeledBatch(images.clone(), labels.clone())];

        public IEnumerable<LabeledBatch> ValidationBatches() => [new LabeledBatch(images.clone(), labels.clone())];
    }

    [Fact]
    public void Resume_FromAPyTorchWrittenOfficialCheckpoint_ReachesPyTorchsNextStep()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixturePath("resume_expected.json")));
        var root = document.RootElement;
        float[] Values(JsonElement e) => e.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        long[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        using var images = tensor(Values(root.GetProperty("images"))).reshape(Shape(root.GetProperty("images")));
        using var labels = tensor(root.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray());

        var path = Path.Combine(directory, "Tiny_use_slot_negative_checkpoint.pth");
        File.Copy(FixturePath("resume_epoch0.pth"), path);
        manual_seed(99); // a different initialisation: everything must come from the file
        using var model = TinyOfficialModel();
        var options = new TrainingOptions { Epochs = 2, LearningRate = 1e-3, BatchSize = 4, OutputDir = directory, DatasetName = "Tiny", Device = "cpu", Resume = true };
        using var trainer = new Trainer(model, ScouterLoss.Create(1.5, 1), options, new OfficialCheckpointStore());

        var history = trainer.Fit(new OneBatch(images, labels));

        history.Should().ContainSingle().Which.Epoch.Should().Be(1, "the checkpoint's epoch is 0");
        history[0].Train.Loss.Should().BeApproximately(root.GetProperty("losses")[1].GetDouble(), 1e-5);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var expected = root.GetProperty("parameters_after_epoch1");
        foreach (var entry in expected.EnumerateObject())
        {
            if (entry.Name == "backbone.conv.bias")
            {
                // A bias right before BatchNorm has a mathematically zero gradient; Adam divides that float noise by
                // its own magnitude, so both frameworks take different full-size steps. Every other parameter is pinned.
                continue;
            }

            var actual = parameters[entry.Name].detach().reshape(-1).data<float>().ToArray();
            var wanted = Values(entry.Value);
            actual.Length.Should().Be(wanted.Length, entry.Name);
            for (var i = 0; i < wanted.Length; i++)
            {
                actual[i].Should().BeApproximately(wanted[i], 1e-6f, $"{entry.Name}[{i}] after the resumed epoch");
            }
        }

        parameters.Keys.Should().HaveCount(expected.EnumerateObject().Count());
    }

    [Fact]
    public void Save_WritesTheOfficialLayout_WithOptimizerIndicesSkippingToQ()
    {
        manual_seed(1);
        using var model = TinyOfficialModel();
        using var data = new ToyDataForTiny();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 4, OutputDir = directory, DatasetName = "Tiny", Device = "cpu" };
        using var trainer = new Trainer(model, ScouterLoss.Create(1.5, 1), options, new OfficialCheckpointStore());
        trainer.Fit(data);

        using var file = PyTorchFormat.Read(Path.Combine(directory, "Tiny_use_slot_negative_checkpoint.pth"));
        var root = (PickleDict)file.Root!;
        root.Keys.Cast<string>().Should().Contain(["model", "optimizer", "lr_scheduler", "epoch", "args"]);
        var optimizer = (PickleDict)root["optimizer"]!;
        var state = (PickleDict)optimizer["state"]!;
        var group = (PickleDict)((IList<object?>)optimizer["param_groups"]!)[0]!;

        // 17 official parameters; positions 7 and 8 are slot.to_q.0.*, which never get state.
        ((IList<object?>)group["params"]!).Should().HaveCount(17);
        state.Keys.Select(k => Convert.ToInt64(k)).Should().BeEquivalentTo(Enumerable.Range(0, 17).Where(i => i is not (7 or 8)).Select(i => (long)i));
        group["weight_decay"].Should().Be(0.01);
        ((PickleDict)root["lr_scheduler"]!)["last_epoch"].Should().Be(1L);
        root["epoch"].Should().Be(0L);
        ((PickleObject)root["args"]!).Type.FullName.Should().Be("argparse.Namespace");
        var modelKeys = ((PickleDict)root["model"]!).Keys.Cast<string>().ToList();
        modelKeys.Should().Contain(["slot.to_q.0.weight", "slot.to_q.0.bias", "backbone.bn.running_mean", "backbone.bn.num_batches_tracked"]);
    }

    [Fact]
    public void SaveThenLoad_RoundTripsEverything()
    {
        manual_seed(2);
        using var model = TinyOfficialModel();
        using var data = new ToyDataForTiny();
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, OutputDir = null, Device = "cpu" };
        using var trainer = new Trainer(model, ScouterLoss.Create(1.5, 1), options);
        trainer.Fit(data);
        var store = new OfficialCheckpointStore();
        var path = Path.Combine(directory, "round.pth");

        using var saved = trainer.CaptureCheckpoint(1);
        store.Save(path, saved);
        using var loaded = store.Load(path);

        loaded.Epoch.Should().Be(1);
        loaded.OptimizerParameterCount.Should().Be(17);
        loaded.Schedule.Should().Be(saved.Schedule);
        loaded.BestValidationAccuracy.Should().Be(saved.BestValidationAccuracy);
        loaded.Args.GetInt("num_classes").Should().Be(3);
        loaded.Model.Keys.Should().Equal(saved.Model.Keys);
        foreach (var (name, value) in saved.Model)
        {
            loaded.Model[name].equal(value).all().item<bool>().Should().BeTrue(name);
        }

        loaded.Optimizer.Entries.Keys.Should().BeEquivalentTo(saved.Optimizer.Entries.Keys);
        foreach (var (index, entry) in saved.Optimizer.Entries)
        {
            loaded.Optimizer.Entries[index].Step.Should().Be(entry.Step);
            loaded.Optimizer.Entries[index].ExpAvgSq.equal(entry.ExpAvgSq).all().item<bool>().Should().BeTrue();
        }
    }

    [Fact]
    public void Save_OfAChannelsLastModel_WritesValuesInContiguousOrder_ThatAContiguousModelLoads()
    {
        // The CLI trains ResNets with channels-last convolution weights (and so channels-last AdamW moments). The file
        // must hold the values in the standard layout (the writer stores contiguous data with strides from the shape),
        // so a model built without channels-last, or PyTorch, reads the same numbers.
        manual_seed(2);
        using var model = TinyOfficialModel();
        ChannelsLast.ConvertConvolutions(model).Should().Be(1, "the backbone's conv (a 1×1 kernel, like the head's conv1x1, has the same strides in either layout)");
        using var data = new ToyDataForTiny();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 4, OutputDir = null, Device = "cpu" };
        using var trainer = new Trainer(model, ScouterLoss.Create(1.5, 1), options);
        trainer.Fit(data);
        var convWeight = model.named_parameters().Single(p => p.name == "backbone.conv.weight").parameter;
        ChannelsLast.IsChannelsLast(convWeight).Should().BeTrue("training keeps the layout");
        convWeight.is_contiguous().Should().BeFalse();
        var store = new OfficialCheckpointStore();
        var path = Path.Combine(directory, "channels_last.pth");

        using var saved = trainer.CaptureCheckpoint(0);
        store.Save(path, saved);
        using var loaded = store.Load(path);

        loaded.Model["backbone.conv.weight"].is_contiguous().Should().BeTrue();
        foreach (var (name, value) in saved.Model)
        {
            loaded.Model[name].equal(value).all().item<bool>().Should().BeTrue(name);
        }

        foreach (var (index, entry) in saved.Optimizer.Entries)
        {
            loaded.Optimizer.Entries[index].ExpAvg.equal(entry.ExpAvg).all().item<bool>().Should().BeTrue($"exp_avg of parameter {index}");
        }

        manual_seed(7);
        using var fresh = TinyOfficialModel();
        OfficialCheckpoint.LoadInto(fresh, loaded.Model);
        model.eval();
        fresh.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = randn(2, 3, 8, 8);
        Support.TensorAssert.Close(fresh.call(images), model.call(images), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Restore_ACheckpointOfAnotherModel_ListsEveryMismatch()
    {
        using var model = TinyOfficialModel();
        var options = new TrainingOptions { Epochs = 1, OutputDir = null, Device = "cpu" };
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 1), options);
        using var other = ScouterModel.Create(nn.Sequential(("conv", nn.Conv2d(3, 6, 3))), XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 4, NumClasses = 3, SlotsPerClass = 1 }));
        using var otherTrainer = new Trainer(other, ScouterLoss.Create(1, 1), options);
        using var checkpoint = otherTrainer.CaptureCheckpoint(0);

        var act = () => trainer.RestoreCheckpoint(checkpoint);

        act.Should().Throw<StateDictMismatchException>().WithMessage("*backbone.bn.running_mean*").WithMessage("*slot.initial_slots*");
    }

    [Fact]
    public void Load_ABareStateDict_SaysItCannotResume()
    {
        var path = Path.Combine(directory, "bare.pth");
        using (var model = TinyOfficialModel())
        {
            PyTorchFormat.WriteStateDict(path, model);
        }

        var act = () => new OfficialCheckpointStore().Load(path);

        act.Should().Throw<CheckpointFormatException>().WithMessage("*no 'epoch'*");
    }

    /// <summary>Eight 10×10 images in two batches of four, labels 0..2.</summary>
    private sealed class ToyDataForTiny : ITrainingBatches, IDisposable
    {
        private readonly Tensor images = randn(8, 3, 10, 10).DetachFromDisposeScope();
        private readonly Tensor labels = tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }).DetachFromDisposeScope();

        public int? TrainBatchCount => 2;

        public int? ValidationBatchCount => 1;

        public IEnumerable<LabeledBatch> TrainBatches(int epoch)
        {
            yield return new LabeledBatch(images[..4].clone(), labels[..4].clone());
            yield return new LabeledBatch(images[4..].clone(), labels[4..].clone());
        }

        public IEnumerable<LabeledBatch> ValidationBatches()
        {
            yield return new LabeledBatch(images.clone(), labels.clone());
        }

        public void Dispose()
        {
            images.Dispose();
            labels.Dispose();
        }
    }
}
