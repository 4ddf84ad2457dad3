using Scouter.Core.Interop;
using Scouter.Core.Interop.Pickle;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

/// <summary>
/// Official SCOUTER checkpoints: the fixtures were written by PyTorch from an official-structured SlotModel and FC
/// model (make_interop_fixtures.py); their log-probabilities for fixed images are the expected outputs.
/// </summary>
public sealed class OfficialCheckpointTests : IDisposable
{
    private const string SlotCheckpoint = "scouter_tiny_checkpoint.pth";
    private const string FcCheckpoint = "scouter_tiny_no_slot_checkpoint.pth";

    private readonly string directory = Directory.CreateTempSubdirectory("scouter-official-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Temp(string name) => Path.Combine(directory, name);

    private static Tensor LogProbabilities(ScouterModel model)
    {
        model.eval();
        using var noGrad = no_grad();
        using var images = InteropFixtures.Expected("images");
        using var output = model.ForwardDetailed(images);
        return output.LogProbabilities();
    }

    [Fact]
    public void Read_ExposesModelEpochArgsOptimizerAndScheduler()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));

        checkpoint.Model.Keys.Should().Equal(InteropFixtures.ExpectedSlotKeys());
        checkpoint.Epoch.Should().Be(7);
        checkpoint.Args.GetString("model").Should().Be("resnet18");
        checkpoint.Args.GetString("dataset").Should().Be("Tiny");
        checkpoint.Args.GetInt("img_size").Should().Be(10);
        checkpoint.Args["local_rank"].Should().BeNull();
        checkpoint.Optimizer.Should().NotBeNull("the official train.py saves optimizer.state_dict()");
        var optimizer = checkpoint.Optimizer!;
        var group = (PickleDict)((List<object?>)optimizer["param_groups"]!)[0]!;
        group["lr"].Should().Be(1e-4);
        group["weight_decay"].Should().Be(0.01, "PyTorch's AdamW default the official code relies on");
        ((PickleDict)optimizer["state"]!).Count.Should().Be(checkpoint.Model.Keys.Count(k => !k.Contains("running_") && !k.Contains("num_batches")) - 2,
            "AdamW keeps state for every trained parameter; the unused to_q gets no gradient, hence no state");
        checkpoint.LrScheduler!["step_size"].Should().Be(70L);
    }

    [Fact]
    public void Args_ToHeadAndLossOptions_GiveTheCheckpointsHyperParameters()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));

        var head = checkpoint.Args.ToHeadOptions();
        var loss = checkpoint.Args.ToLossOptions();

        head.Should().BeEquivalentTo(InteropFixtures.SlotOptions(), "slots_per_class was pickled as the string '2'");
        loss.Should().BeEquivalentTo(InteropFixtures.LossOptions(), "lambda_value is the loss's Lambda");
    }

    [Fact]
    public void Args_ReadBooleansAndRejectSweepLists()
    {
        var args = new OfficialArgs(new Dictionary<string, object?> { ["use_slot"] = "no", ["aug"] = 1L, ["num_classes"] = "10,20" });
        args.GetBool("use_slot").Should().BeFalse();
        args.GetBool("aug").Should().BeTrue();
        FluentActions.Invoking(() => args.GetInt("num_classes")).Should().Throw<FormatException>().WithMessage("*args.num_classes is the sweep list '10,20'*");
        FluentActions.Invoking(() => args.GetInt("epochs")).Should().Throw<KeyNotFoundException>().WithMessage("*no flag 'epochs'*");
    }

    [Fact]
    public void Args_OutputStride_Is32ForAnOfficialCheckpointAndTheRecordedOneOtherwise()
    {
        using var official = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));

        official.Args.ContainsKey(OfficialArgs.OutputStrideFlag).Should().BeFalse("the official code has no such flag");
        official.Args.OutputStride.Should().Be(32);
        new OfficialArgs(new Dictionary<string, object?> { ["output_stride"] = 8L }).OutputStride.Should().Be(8);
        new OfficialArgs(new Dictionary<string, object?> { ["output_stride"] = "16" }).OutputStride.Should().Be(16);
        new OfficialArgs(new Dictionary<string, object?> { ["output_stride"] = null }).OutputStride.Should().Be(32);
        FluentActions.Invoking(() => new OfficialArgs(new Dictionary<string, object?> { ["output_stride"] = "16,8" }).OutputStride)
            .Should().Throw<FormatException>().WithMessage("*output_stride*");
    }

    [Fact]
    public void LoadInto_SlotModel_ReproducesTheOfficialLogProbabilities()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));
        using var model = InteropFixtures.SlotModel(checkpoint.Args.ToHeadOptions());

        var report = checkpoint.LoadInto(model);

        report.IsComplete.Should().BeTrue(report.ToString());
        report.Dropped.Should().Equal("slot.to_q.0.weight", "slot.to_q.0.bias");
        using var expected = InteropFixtures.Expected("slot_log_probs");
        using var actual = LogProbabilities(model);
        TensorAssert.Close(actual, expected, rtol: 1e-4, because: "batch-norm statistics, conv1x1, slots, keys and GRU all came from the file");
    }

    [Fact]
    public void LoadInto_FcModel_MapsBackboneFcAndReproducesTheOfficialLogProbabilities()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(FcCheckpoint));
        checkpoint.Args.ToHeadOptions().UseSlot.Should().BeFalse();
        using var model = InteropFixtures.FcModel();

        checkpoint.LoadInto(model).IsComplete.Should().BeTrue();

        using var expected = InteropFixtures.Expected("fc_log_probs");
        using var actual = LogProbabilities(model);
        TensorAssert.Close(actual, expected, rtol: 1e-4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadInto_AcceptsAStateDictSavedFromTheDdpWrapper(bool useSlot)
    {
        // torch.nn.parallel.DistributedDataParallel(model).state_dict() names every key "module." + the model's key.
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(useSlot ? SlotCheckpoint : FcCheckpoint));
        using var wrapped = new StateDict();
        foreach (var (key, value) in checkpoint.Model)
        {
            wrapped.Add("module." + key, value.clone());
        }

        using var model = useSlot ? InteropFixtures.SlotModel(checkpoint.Args.ToHeadOptions()) : InteropFixtures.FcModel();
        OfficialCheckpoint.LoadInto(model, wrapped).IsComplete.Should().BeTrue();

        using var expected = InteropFixtures.Expected(useSlot ? "slot_log_probs" : "fc_log_probs");
        using var actual = LogProbabilities(model);
        TensorAssert.Close(actual, expected, rtol: 1e-4);
    }

    [Fact]
    public void LoadInto_ListsEveryDifferenceOfAModelBuiltWithOtherHyperParameters()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));
        var options = InteropFixtures.SlotOptions();
        options.HiddenDim = 16;
        options.ToKLayers = 1;
        using var model = InteropFixtures.SlotModel(options);

        var act = () => checkpoint.LoadInto(model);

        act.Should().Throw<StateDictMismatchException>().Which.Message.Should().ContainAll(
            "conv1x1.weight: expected [16, 6, 1, 1], found [8, 6, 1, 1]",
            "slot.initial_slots: expected [1, 6, 16], found [1, 6, 8]",
            "slot.gru.weight_ih_l0: expected [48, 16], found [24, 8]",
            "Unexpected", "slot.to_k.2.weight", "slot.to_k.2.bias");
    }

    [Fact]
    public void LoadPretrainedBackbone_InitialisesOnlyTheBackboneFromTheFcCheckpoint()
    {
        // use_pre: the SCOUTER model's backbone starts from the FC baseline's backbone.
        using var model = InteropFixtures.SlotModel();
        using var headBefore = model.state_dict()["conv1x1.weight"].clone();

        var report = OfficialCheckpoint.LoadPretrainedBackbone(model, InteropFixtures.Path(FcCheckpoint));

        report.IsComplete.Should().BeTrue();
        report.Loaded.Should().HaveCount(7, "conv weight and bias, batch-norm weight, bias, running mean and variance, step count");
        report.Dropped.Should().Equal("backbone.fc.weight", "backbone.fc.bias");
        using var fc = OfficialCheckpoint.Read(InteropFixtures.Path(FcCheckpoint));
        var backbone = model.state_dict();
        foreach (var key in fc.Model.Keys.Where(k => !k.StartsWith("backbone.fc.", StringComparison.Ordinal)))
        {
            TensorAssert.Close(backbone[key].to(ScalarType.Float64), fc.Model[key].to(ScalarType.Float64), 0, 0, key);
        }

        TensorAssert.Close(model.state_dict()["conv1x1.weight"], headBefore, 0, 0, "the head is not touched");
    }

    [Fact]
    public void LoadBackbone_ReportsADifferentBackbone()
    {
        using var fc = OfficialCheckpoint.Read(InteropFixtures.Path(FcCheckpoint));
        using var other = nn.Sequential(("conv", nn.Conv2d(1, 6, 3)), ("bn", nn.BatchNorm2d(6)));

        var act = () => fc.LoadBackboneInto(other);

        act.Should().Throw<StateDictMismatchException>().WithMessage("*conv.weight: expected [6, 1, 3, 3], found [6, 3, 3, 3]*");
    }

    [Fact]
    public void ExportStateDict_SlotModel_HasTheOfficialKeysWithASeededToQ()
    {
        using var model = InteropFixtures.SlotModel();

        using var exported = OfficialCheckpoint.ExportStateDict(model, toQSeed: 3);
        using var again = OfficialCheckpoint.ExportStateDict(model, toQSeed: 3);
        using var otherSeed = OfficialCheckpoint.ExportStateDict(model, toQSeed: 4);

        exported.Keys.Should().BeEquivalentTo(InteropFixtures.ExpectedSlotKeys());
        var weight = exported["slot.to_q.0.weight"];
        weight.shape.Should().Equal(8, 8);
        exported["slot.to_q.0.bias"].shape.Should().Equal(8);
        weight.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)(1 / Math.Sqrt(8)), "PyTorch's default Linear init bound 1/sqrt(fan_in)");
        weight.std().item<float>().Should().BeGreaterThan(0.1f, "uniform on ±0.354 has std 0.204");
        TensorAssert.Close(again["slot.to_q.0.weight"], weight, 0, 0, "the same seed gives the same values");
        otherSeed["slot.to_q.0.weight"].eq(weight).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void ExportStateDict_FcModel_MovesFcIntoTheBackbone()
    {
        using var model = InteropFixtures.FcModel();
        using var exported = OfficialCheckpoint.ExportStateDict(model);
        exported.Keys.Should().Contain(["backbone.fc.weight", "backbone.fc.bias"]).And.NotContain("fc.weight");
    }

    [Fact]
    public void Write_ThenRead_RoundTripsWeightsArgsEpochAndOptimizer()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(SlotCheckpoint));
        using var model = InteropFixtures.SlotModel(checkpoint.Args.ToHeadOptions());
        checkpoint.LoadInto(model);
        var path = Temp("resaved.pth");

        OfficialCheckpoint.Write(path, model, checkpoint.Args, epoch: 8, checkpoint.Optimizer, checkpoint.LrScheduler);
        using var back = OfficialCheckpoint.Read(path);
        using var reloaded = InteropFixtures.SlotModel(back.Args.ToHeadOptions());
        back.LoadInto(reloaded);

        back.Epoch.Should().Be(8);
        back.Args.Should().BeEquivalentTo(checkpoint.Args);
        back.Optimizer!["state"].Should().BeOfType<PickleDict>().Which.Count.Should().Be(((PickleDict)checkpoint.Optimizer!["state"]!).Count);
        back.LrScheduler!["step_size"].Should().Be(checkpoint.LrScheduler!["step_size"]);
        using var expected = InteropFixtures.Expected("slot_log_probs");
        using var actual = LogProbabilities(reloaded);
        TensorAssert.Close(actual, expected, rtol: 1e-4);
    }

    /// <summary>
    /// The committed csharp_export_*.pth files were loaded by PyTorch 1.13 into the official-structured models with
    /// load_state_dict(strict=True) and reproduced the expected log-probabilities (verify_csharp_exports.py). This
    /// test pins that the writer still produces exactly those bytes, so the Python check stays valid without Python.
    /// Set SCOUTER_UPDATE_INTEROP_FIXTURES=1 to refresh the files after a deliberate format change, then re-run the
    /// Python script.
    /// </summary>
    [Theory]
    [InlineData(SlotCheckpoint, "csharp_export_slot.pth")]
    [InlineData(FcCheckpoint, "csharp_export_fc.pth")]
    public void Write_ProducesTheExportPyTorchVerified(string source, string export)
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path(source));
        var options = checkpoint.Args.ToHeadOptions();
        using var model = options.UseSlot ? InteropFixtures.SlotModel(options) : InteropFixtures.FcModel();
        checkpoint.LoadInto(model);
        var path = Temp(export);

        OfficialCheckpoint.Write(path, model, checkpoint.Args, epoch: checkpoint.Epoch ?? 0, toQSeed: 0);

        if (Environment.GetEnvironmentVariable("SCOUTER_UPDATE_INTEROP_FIXTURES") == "1")
        {
            File.Copy(path, InteropFixtures.SourcePath(export), overwrite: true);
        }

        File.ReadAllBytes(path).Should().Equal(File.ReadAllBytes(InteropFixtures.Path(export)));
    }

    [Fact]
    public void ReadAndLoad_LeakNoTensorsInALoop()
    {
        using var model = InteropFixtures.SlotModel();
        var path = InteropFixtures.Path(SlotCheckpoint);
        using (var warmUp = OfficialCheckpoint.Read(path))
        {
            warmUp.LoadInto(model);
        }

        var before = LiveTensors.Count();
        for (var i = 0; i < 10; i++)
        {
            using var checkpoint = OfficialCheckpoint.Read(path);
            checkpoint.LoadInto(model);
        }

        LiveTensors.Count().Should().Be(before);
    }
}
