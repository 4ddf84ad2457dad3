namespace Scouter.Cli.Tests;

/// <summary><c>scouter train --tensorboard DIR</c>: one TensorBoard run folder per trained head.</summary>
public sealed class TrainTensorBoardTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-tb-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void Train_WithTensorBoard_WritesAnEventFileUnderTheRunsStem()
    {
        var logs = Path.Combine(output, "runs");
        var (code, text) = CliRunner.Run("train", "--use_pre", "false", "--output_dir", output, "--tensorboard", logs, "--synthetic_train", "32", "--synthetic_val", "8",
            "--img_size", "32", "--batch_size", "16", "--epochs", "2", "--num_workers", "0");

        code.Should().Be(0, text);
        text.Should().Contain("TensorBoard events: " + Path.Combine(logs, "Synthetic_use_slot"));
        var events = Directory.GetFiles(Path.Combine(logs, "Synthetic_use_slot"), "events.out.tfevents.*").Should().ContainSingle().Subject;
        // Scalars of two epochs and two explanation images follow the file-version record: far more than one record.
        new FileInfo(events).Length.Should().BeGreaterThan(2000);
        Directory.GetDirectories(logs).Should().ContainSingle("only the SCOUTER head was trained");
    }
}
