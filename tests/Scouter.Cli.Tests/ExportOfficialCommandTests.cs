using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Cli.Arguments;
using Scouter.Cli.Commands;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Cli.Tests;

/// <summary><c>scouter export-official</c>: the checkpoint and command line handed to the official train.py under torch.distributed.</summary>
[Collection(nameof(GlobalRandomGenerator))]
public sealed class ExportOfficialCommandTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-export-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private string[] Flags => ["--dataset", "Synthetic", "--use_pre", "false", "--img_size", "32", "--num_classes", "3", "--slots_per_class", "2",
        "--lambda_value", "2", "--power", "1", "--loss_status", "-1", "--lr", "0.0003", "--epochs", "40", "--batch_size", "16", "--output_dir", output];

    private (string Command, string Checkpoint) Export()
    {
        var (code, text) = CliRunner.Run(["export-official", .. Flags, "--world_size", "4"]);
        code.Should().Be(0, text);
        // The command is printed one flag per line, each but the last ending in a shell continuation.
        var lines = text.Split('\n').Select(l => l.TrimEnd()).SkipWhile(l => !l.StartsWith("python -m torch.distributed.launch", StringComparison.Ordinal)).ToList();
        var count = lines.FindIndex(l => !l.EndsWith('\\')) + 1;
        var command = string.Join(' ', lines.Take(count).Select(l => l.TrimEnd('\\').Trim()));
        return (command, Path.Combine(output, "Synthetic_use_slot_negative_checkpoint_init.pth"));
    }

    private static ScouterModel Build(RunSettings settings, int seed)
    {
        manual_seed(seed);
        var (model, _) = ModelBuilder.Build(settings with { PreTrained = false }, 3, settings.Head.NumClasses, NullLogger.Instance);
        return model;
    }

    [Fact]
    public void PrintedFlags_ParseBackToTheSameRunSettings()
    {
        var (command, checkpoint) = Export();

        command.Should().StartWith("python -m torch.distributed.launch --nproc_per_node=4 --use_env train.py ")
            .And.Contain("--device cuda").And.Contain("--world_size 4").And.EndWith($"--resume {checkpoint}");
        var printed = command[(command.IndexOf("train.py", StringComparison.Ordinal) + "train.py".Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var back = RunSettings.From(ArgumentParser.Parse(["train", .. printed]));
        var original = RunSettings.From(ArgumentParser.Parse(["train", .. Flags, "--world_size", "4"]));

        string Json(object value) => JsonSerializer.Serialize(value, value.GetType());
        Json(back.Head).Should().Be(Json(original.Head));
        Json(back.Data).Should().Be(Json(original.Data));
        (back.Model, back.PreTrained, back.UsePre, back.FreezeLayers, back.PreDir, back.Workers).Should().Be((original.Model, original.PreTrained, original.UsePre, original.FreezeLayers, original.PreDir, original.Workers));
        var (b, o) = (back.Training, original.Training);
        (b.Epochs, b.LearningRate, b.LrDrop, b.BatchSize, b.Seed, b.WorldSize, b.OutputDir, b.DatasetName).Should().Be((o.Epochs, o.LearningRate, o.LrDrop, o.BatchSize, o.Seed, o.WorldSize, o.OutputDir, o.DatasetName));
        (b.Resume, RunSettings.ResumePath(printed[^1])).Should().Be((true, checkpoint), "the official run starts from the exported file");
    }

    [Fact]
    public void UsePre_TakesTheBackboneAndInputFromTheFcBaseline_AndRecordsTheChannelsTheBackboneHas()
    {
        var fc = CliRunner.Run(["train", "--dataset", "Synthetic", "--use_slot", "false", "--model", "resnest26d", "--img_size", "40", "--num_classes", "3",
            "--synthetic_train", "16", "--synthetic_val", "8", "--batch_size", "16", "--epochs", "1", "--num_workers", "0", "--output_dir", output]);
        fc.ExitCode.Should().Be(0, fc.Output);
        string[] export = ["export-official", "--dataset", "Synthetic", "--use_pre", "true", "--num_classes", "3", "--slots_per_class", "2", "--output_dir", output, "--overwrite", "true"];

        var (code, text) = CliRunner.Run(export);

        code.Should().Be(0, text);
        // The official train.py builds its head from --channel: a ResNeSt needs 2048, which no flag here said.
        text.Should().Contain("--model resnest26d").And.Contain("--img_size 40").And.Contain("--channel 2048");
        using (var written = OfficialCheckpoint.Read(Path.Combine(output, "Synthetic_use_slot_checkpoint_init.pth")))
        {
            (written.Args["model"], written.Args["img_size"], written.Args["channel"]).Should().Be(("resnest26d", 40L, 2048L));
        }

        var otherSize = CliRunner.Run([.. export, "--img_size", "64"]);
        otherSize.ExitCode.Should().Be(0, otherSize.Output);
        otherSize.Output.Should().Contain("--img_size 64 is used as given").And.Contain("trained with img_size 40");

        var otherBackbone = CliRunner.Run([.. export, "--model", "resnet18"]);
        otherBackbone.ExitCode.Should().Be(1);
        otherBackbone.Output.Should().Contain("--model resnet18 does not fit").And.Contain("trained with model resnest26d");
    }

    [Fact]
    public void ExportedCheckpoint_HoldsTheDotNetInitialWeights_AndLoadsBackBitwise()
    {
        var (command, path) = Export();
        var printed = command[(command.IndexOf("train.py", StringComparison.Ordinal) + "train.py".Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var settings = RunSettings.From(ArgumentParser.Parse(["train", .. printed]));

        using var resumable = new OfficialCheckpointStore().Load(path);
        resumable.Epoch.Should().Be(-1, "the official loop then starts at epoch 0");
        resumable.Optimizer.Entries.Should().BeEmpty("a fresh AdamW has no moments yet");

        using var file = OfficialCheckpoint.Read(path);
        using var initial = Build(settings, seed: 42); // the export's seed: the same weights train would start from
        using var loaded = Build(settings, seed: 7);
        file.LoadInto(loaded).IsComplete.Should().BeTrue();
        foreach (var model in new[] { initial, loaded })
        {
            using var state = OfficialCheckpoint.ExportStateDict(model);
            state.Keys.Should().Equal(file.Model.Keys);
            foreach (var key in state.Keys)
            {
                state[key].to(ScalarType.Float64).equal(file.Model[key].to(ScalarType.Float64)).all().item<bool>().Should().BeTrue(key);
            }
        }
    }
}
