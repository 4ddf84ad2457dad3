namespace Scouter.Cli.Tests;

/// <summary>Ctrl+C (a cancelled token) stops the long-running verbs with exit code 130, a message, and no half-written output.</summary>
public sealed class CancellationTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-cancel-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private string[] Small(params string[] flags) =>
        [.. flags, "--use_pre", "false", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "8", "--num_workers", "0"];

    [Fact]
    public void EvaluateCamAndExportOfficial_Cancelled_Exit130_WritingNothing()
    {
        // An FC model serves all three: evaluate scores its Grad-CAM baseline, cam renders its baselines.
        CliRunner.Run(Small("train", "--epochs", "1", "--use_slot", "false")).ExitCode.Should().Be(0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var json = Path.Combine(output, "evaluation.json");
        var init = Path.Combine(output, "init.pth");

        var evaluate = CliRunner.Run(cancelled.Token, Small("evaluate", "--baselines", "gradcam", "--metrics", "precision", "--json", json));
        var cam = CliRunner.Run(cancelled.Token, Small("cam"));
        var export = CliRunner.Run(cancelled.Token, Small("export-official", "--checkpoint", init));

        evaluate.ExitCode.Should().Be(130, evaluate.Output);
        evaluate.Output.Should().Contain("Cancelled; no metric table was written.");
        File.Exists(json).Should().BeFalse();
        cam.ExitCode.Should().Be(130, cam.Output);
        cam.Output.Should().Contain("Cancelled;");
        Directory.Exists(Path.Combine(output, "cam")).Should().BeFalse("no baseline ran");
        export.ExitCode.Should().Be(130, export.Output);
        export.Output.Should().Contain("Cancelled; no checkpoint was written.");
        File.Exists(init).Should().BeFalse();

        // Without the cancellation the same command runs to the end. (A non-interactive console draws the progress
        // bars only now and then, so the output is not checked for them.)
        var finished = CliRunner.Run(Small("evaluate", "--baselines", "gradcam", "--metrics", "precision", "--json", json));
        finished.ExitCode.Should().Be(0, finished.Output);
        finished.Output.Should().Contain("| Grad-CAM |");
        File.Exists(json).Should().BeTrue();
    }
}
