using System.Diagnostics;
using System.Globalization;
using Scouter.Core.Training;

namespace Scouter.Cli.Tests;

/// <summary>
/// Kills a real <c>scouter train</c> process while it is writing a checkpoint, and checks that the previous
/// checkpoint survives intact and that <c>--resume</c> continues from it.
/// </summary>
public sealed class CheckpointCrashTests : IDisposable
{
    private const string Latest = "Synthetic_use_slot_checkpoint.pth";
    private readonly string output = Directory.CreateTempSubdirectory("scouter-crash-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void KilledMidSave_LeavesThePreviousCheckpointIntact_AndResumeContinuesFromIt()
    {
        var store = new OfficialCheckpointStore();
        var latest = Path.Combine(output, Latest);
        var killedMidSave = 0;
        var lastEpoch = -1;

        // A resnet18 checkpoint with AdamW state is ~135 MB, so a save takes far longer than the kill reaction below.
        // A run that ends on its own before a save is caught (a crash, or an overloaded machine) is simply restarted,
        // as a user would, with --resume.
        for (var attempt = 0; attempt < 6 && killedMidSave < 2; attempt++)
        {
            using var process = Start(resume: File.Exists(latest), epochs: 9);
            try
            {
                var temporary = WaitForTemporaryFileOf(latest, process, requirePrevious: true);
                if (temporary is null)
                {
                    continue;
                }

                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                if (File.Exists(temporary))
                {
                    killedMidSave++;
                }
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            using var survivor = store.Load(latest);
            survivor.Epoch.Should().BeGreaterThanOrEqualTo(lastEpoch, "a crash never rolls the checkpoint back beyond the last finished epoch");
            survivor.Model.Should().NotBeEmpty();
            lastEpoch = survivor.Epoch;
        }

        killedMidSave.Should().BeGreaterThan(0, "the kill must land while a temporary checkpoint file was being written");

        using var resumed = Start(resume: true, epochs: lastEpoch + 2);
        var text = resumed.StandardOutput.ReadToEnd();
        resumed.WaitForExit();

        resumed.ExitCode.Should().Be(0, text);
        text.Should().Contain($"continuing at epoch {lastEpoch + 2}").And.Contain($"Epoch {lastEpoch + 2}/{lastEpoch + 2}");
        using var final = store.Load(latest);
        final.Epoch.Should().Be(lastEpoch + 1);
        Directory.GetFiles(output, ".*.tmp").Should().BeEmpty("the next successful save removes the orphans of killed writers");
    }

    private Process Start(bool resume, int epochs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "scouter.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            dll, "train", "--use_pre", "false", "--output_dir", output, "--synthetic_train", "8", "--synthetic_val", "8",
            "--img_size", "32", "--batch_size", "8", "--num_workers", "0", "--threads", "1", "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
            "--resume", resume ? "true" : "false",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    // Polls for the atomic writer's temporary file of `target` and returns it as soon as it holds bytes; null if the
    // process ended first.
    private static string? WaitForTemporaryFileOf(string target, Process process, bool requirePrevious)
    {
        var prefix = "." + Path.GetFileName(target) + ".";
        var directory = Path.GetDirectoryName(target)!;
        var orphans = Directory.GetFiles(directory, prefix + "*.tmp").ToHashSet();
        var deadline = Stopwatch.StartNew();
        // Drain stdout on a thread so the child never blocks on a full pipe.
        _ = Task.Run(() => process.StandardOutput.ReadToEnd());
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited)
            {
                return null;
            }

            if (!requirePrevious || File.Exists(target))
            {
                foreach (var file in Directory.GetFiles(directory, prefix + "*.tmp"))
                {
                    if (!orphans.Contains(file) && new FileInfo(file).Length > 0)
                    {
                        return file;
                    }
                }
            }

            Thread.Sleep(1);
        }

        throw new TimeoutException($"No checkpoint write of {target} started within 3 minutes.");
    }
}
