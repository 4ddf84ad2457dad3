using System.Text.Json;
using Scouter.Core.Backbones;
using Scouter.Core.Interop;
using Scouter.Core.Training;

namespace Scouter.Cli.Tests;

/// <summary>
/// <c>--output_stride</c>: checked like every flag, recorded in checkpoints, and taken from the checkpoint (32 for an
/// official one, whose flags have none) by the verbs that rebuild a model from it.
/// </summary>
public sealed class OutputStrideCommandTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-stride-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    // 32 px images: a 1×1 map at output stride 32, 4×4 at 8.
    private string[] TinyRun(params string[] flags) =>
        ["train", "--use_pre", "false", "--slots_per_class", "1", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8",
         "--img_size", "32", "--batch_size", "16", "--epochs", "1", "--num_workers", "0", .. flags];

    private (int Code, string Text, int MapSide) Explain(params string[] flags)
    {
        var json = Path.Combine(output, $"explain-{Guid.NewGuid():N}.json");
        var (code, text) = CliRunner.Run(["explain", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32",
            "--slots_per_class", "1", "--num_workers", "0", "--json", json, .. flags]);
        var side = code == 0 ? JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("attention")[0].GetArrayLength() : -1;
        return (code, text, side);
    }

    [Theory]
    [InlineData("train", "4")]
    [InlineData("train", "64")]
    [InlineData("bench", "12")]
    public void AnUnsupportedOutputStride_ExitsTwoNamingTheAllowedOnes(string verb, string stride)
    {
        var (code, text) = CliRunner.Run(verb, "--output_stride", stride, "--output_dir", output);

        code.Should().Be(2, text);
        text.Should().Contain($"--output_stride must be one of {string.Join(", ", BackboneOptions.SupportedOutputStrides)}; got {stride}");
    }

    [Fact]
    public void ExportOfficial_RefusesADilatedBackbone()
    {
        var (code, text) = CliRunner.Run("export-official", "--output_stride", "16", "--output_dir", output, "--use_pre", "false");

        code.Should().Be(2, text);
        text.Should().Contain("output stride 32 only");
        Directory.EnumerateFiles(output, "*.pth", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void ACheckpointRecordsItsStride_AndExplainRebuildsTheModelAtIt()
    {
        var (trainCode, trainText) = CliRunner.Run(TinyRun("--output_stride", "8"));
        trainCode.Should().Be(0, trainText);
        var path = Path.Combine(output, "Synthetic_use_slot_checkpoint.pth");
        using (var checkpoint = OfficialCheckpoint.Read(path))
        {
            checkpoint.Args["output_stride"].Should().Be(8L);
            checkpoint.Args.OutputStride.Should().Be(8);
        }

        var (code, text, side) = Explain();
        code.Should().Be(0, text);
        side.Should().Be(4, "32 px at output stride 8, although --output_stride was left at 32");

        // Given explicitly, another stride is used, with a warning naming both: the same weights, a coarser map.
        var (givenCode, givenText, givenSide) = Explain("--output_stride", "16");
        givenCode.Should().Be(0, givenText);
        givenText.Should().Contain("--output_stride 16 is used as given").And.Contain("trained with output_stride 8");
        givenSide.Should().Be(2);
    }

    [Fact]
    public void AnOfficialCheckpoint_WithoutTheFlag_IsRebuiltAtStride32()
    {
        var (trainCode, trainText) = CliRunner.Run(TinyRun());
        trainCode.Should().Be(0, trainText);
        var path = Path.Combine(output, "Synthetic_use_slot_checkpoint.pth");
        var store = new OfficialCheckpointStore();
        using (var checkpoint = store.Load(path))
        {
            // What the official train.py writes: its argparse namespace has no output_stride.
            var official = new OfficialArgs(checkpoint.Args.Where(flag => flag.Key != OfficialArgs.OutputStrideFlag));
            store.Save(path, checkpoint with { Args = official });
        }

        var (code, text, side) = Explain();
        var (givenCode, givenText, givenSide) = Explain("--output_stride", "8");

        code.Should().Be(0, text);
        side.Should().Be(1, "32 px at output stride 32");
        givenCode.Should().Be(0, givenText);
        givenText.Should().Contain("--output_stride 8 is used as given").And.Contain("trained with output_stride 32");
        givenSide.Should().Be(4, "32 px at the given output stride 8");
    }
}
