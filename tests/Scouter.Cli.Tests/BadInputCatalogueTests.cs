using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Scouter.Core.Explanations.Bulk;

namespace Scouter.Cli.Tests;

/// <summary>An untrained SCOUTER checkpoint of <see cref="SyntheticCheckpoint.Flags"/>'s shape, written by export-official in a second: what the catalogue's cases explain with.</summary>
public sealed class InitialCheckpoint : IDisposable
{
    public InitialCheckpoint()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("scouter-init-").FullName;
        Path = System.IO.Path.Combine(Directory, "Synthetic_use_slot_checkpoint_init.pth");
        var (code, text) = CliRunner.Run(["export-official", "--use_pre", "false", .. SyntheticCheckpoint.Flags, "--output_dir", Directory]);
        if (code != 0 || !File.Exists(Path))
        {
            throw new InvalidOperationException("Writing the test checkpoint failed:\n" + text);
        }
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>
/// The bad-input catalogue (docs/reliability.md): each case of the 149-case probe that was bad (B1–B7) or poor
/// (P1–P11), run through the CLI. Every case must end with its exit code and a message naming what was expected and
/// what was found, print no stack trace, leave every file it was given byte-identical, and write nothing anywhere
/// (a failed run does not even create its --output_dir).
/// </summary>
public sealed class BadInputCatalogueTests(InitialCheckpoint checkpoint) : IClassFixture<InitialCheckpoint>, IDisposable
{
    private readonly string sandbox = Directory.CreateTempSubdirectory("scouter-bad-").FullName;

    public void Dispose() => Directory.Delete(sandbox, recursive: true);

    private string Checkpoint => checkpoint.Path;

    private string Output => Path.Combine(sandbox, "out");

    private string In(string name) => Path.Combine(sandbox, name);

    /// <summary>explain with the fixture's checkpoint, writing (if at all) under the sandbox's out/.</summary>
    private string[] Explain(params string[] more) =>
        ["explain", "--checkpoint", Checkpoint, "--output_dir", Output, .. SyntheticCheckpoint.Flags, "--synthetic_val", "4", "--num_workers", "0", .. more];

    private static string[] TinyTrain(string outputDir, params string[] more) =>
        ["train", "--use_pre", "false", "--output_dir", outputDir, .. SyntheticCheckpoint.Flags, "--synthetic_train", "16", "--synthetic_val", "8",
         "--epochs", "1", "--batch_size", "8", "--num_workers", "0", .. more];

    /// <summary>Runs a command that must fail, and checks everything every case must hold.</summary>
    private string Fails(int exitCode, string[] args, params string[] expected)
    {
        var before = Snapshot();
        var (code, text) = CliRunner.Run(args);

        code.Should().Be(exitCode, text);
        text.Should().Contain("scouter: error:");
        foreach (var part in expected)
        {
            Flat(text).Should().Contain(part);
        }

        text.Should().NotContain("   at ", "no stack trace without --verbose").And.NotContain("Unhandled exception");
        Snapshot().Should().Equal(before, "a failed run modifies no file and writes nothing, its --output_dir included");
        return text;
    }

    /// <summary>The console wraps long lines; messages are matched with the wrapping undone.</summary>
    private static string Flat(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Every file of the sandbox and of the fixture's run: its length and last-write time, and the hash of its content
    /// up to 1 MB (the checkpoints' hundred megabytes are compared by hash where a case is about them).
    /// </summary>
    private string[] Snapshot() =>
        [.. new[] { sandbox, checkpoint.Directory }.SelectMany(root => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path) ? $"{path} {new FileInfo(path).Length} {File.GetLastWriteTimeUtc(path).Ticks} {Hash(path, 1 << 20)}" : path)];

    private static string Hash(string path, int limit = int.MaxValue)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Math.Min(limit, stream.Length)];
        stream.ReadExactly(head);
        return Convert.ToHexString(SHA256.HashData(head));
    }

    // ---- B1: explain --jsonl on a file that is not ours changed it. Now it is read whole first and left byte-identical.

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public void B1a_JsonlOnACopyOfACheckpoint_LeavesItByteIdentical(string overwrite)
    {
        File.Copy(Checkpoint, In("copy.pth"));
        var before = Hash(In("copy.pth"));
        Fails(1, Explain("--jsonl", In("copy.pth"), "--overwrite", overwrite), "is not a JSON Lines file", "line 1 is binary data starting 504B0304", "left untouched");
        Hash(In("copy.pth")).Should().Be(before, "every byte of the checkpoint is kept");
    }

    [Fact]
    public void B1b_JsonlOnATextFile_KeepsItsLastLine()
    {
        File.WriteAllText(In("notes.txt"), "first line\nlast line without a break");
        Fails(1, Explain("--jsonl", In("notes.txt")), "line 1 is 'first line'", "expected a JSON object");
    }

    // ---- B2: unhandled exceptions (exit 134, stack trace). Now each is a message and exit 1 or 2.

    [Theory]
    [InlineData("empty", "its first bytes are none (empty file)")]
    [InlineData("truncated", "is truncated: it does not end with the IEND chunk")]
    [InlineData("text", "is neither a JPEG (starts with FFD8FF) nor a PNG")]
    [InlineData("zero-size", "declares a size of 0 × 0 pixels")]
    [InlineData("two-billion-pixels", "65536 × 32768 = 2,147,483,648 pixels, more than the decoding limit of 89,478,485 pixels")]
    public void B2_ABadImageGivenToImage_IsAMessage(string kind, string message)
    {
        var path = In(kind + ".png");
        File.WriteAllBytes(path, kind switch
        {
            "empty" => [],
            "truncated" => GoodPng()[..40],
            "text" => "hello, world\n"u8.ToArray(),
            "zero-size" => PngHeader(0, 0),
            _ => PngHeader(65536, 32768),
        });
        Fails(1, Explain("--image", path), message);
    }

    [Fact]
    public void B2f_DevZeroAsTheImage_IsRefusedOnItsFirstBytes() =>
        Fails(1, Explain("--image", "/dev/zero"), "'/dev/zero' is neither a JPEG", "its first bytes are 0000000000000000");

    [Fact]
    public void B2g_AnImageSizeNoMachineCanHold_IsAUsageError() =>
        Fails(2, Explain("--img_size", "100000"), "--img_size: 100000 is too large; the largest allowed value is 4096");

    [Fact]
    public void B2h_OutputDirThatIsAFile_IsNamed()
    {
        File.WriteAllText(In("file"), "x");
        Fails(1, Explain("--output_dir", In("file")), "--output_dir:", "is a file; a folder is needed here");
    }

    [Fact]
    public void B2i_OutputDirThatIsReadOnly_IsNamed() =>
        Fails(1, Explain("--output_dir", "/sys/scouter-out"), "--output_dir:", "no file can be created in '/sys'");

    [Fact]
    public void B2j_JsonNamingAFolder_IsNamed()
    {
        Directory.CreateDirectory(In("dir.json"));
        Fails(1, Explain("--json", In("dir.json")), "--json:", "is a folder; a file is needed here");
    }

    [Fact]
    public void B2k_JsonlNamingAFolder_IsNamed()
    {
        Directory.CreateDirectory(In("dir.jsonl"));
        Fails(1, Explain("--jsonl", In("dir.jsonl")), "--jsonl:", "is a folder; a file is needed here");
    }

    // ---- B3: train checked its output folder only after the first epoch. Now before anything is trained.

    [Theory]
    [InlineData("file")]
    [InlineData("read-only")]
    public void B3_TrainIntoAnUnwritableOutputDir_FailsBeforeTheFirstEpoch(string kind)
    {
        File.WriteAllText(In("file"), "x");
        var text = Fails(1, TinyTrain(kind == "file" ? In("file") : "/sys/scouter-out"), "--output_dir:");
        text.Should().NotContain("Training resnet18").And.NotContain("Epoch 1");
    }

    // ---- B4: --map_size 100000 aborted natively and left an empty .jsonl. Now bounded, and nothing is created.

    [Theory]
    [InlineData("100000", "64", "--map_size: 100000 is too large; the largest allowed value is 4096")]
    [InlineData("4096", "65536", "needs at least 9.9 TB for the maps of one batch")]
    public void B4_AMapSizeBeyondMemory_IsRefusedWithTheLimit_AndNoFileIsCreated(string mapSize, string batch, string message)
    {
        Fails(2, Explain("--jsonl", In("maps.jsonl"), "--map_size", mapSize, "--batch_size", batch), message);
        File.Exists(In("maps.jsonl")).Should().BeFalse();
    }

    // ---- B5: no pixel limit when decoding (a 1.2 MB 20000 × 20000 PNG took 7 GB). Now refused from its header.

    [Fact]
    public void B5_AnImageOverThePixelBudget_IsRefusedFromItsHeader()
    {
        File.WriteAllBytes(In("big.png"), PngHeader(20000, 20000));
        Fails(1, Explain("--image", In("big.png")), "20000 × 20000 = 400,000,000 pixels, more than the decoding limit of 89,478,485", "--max_image_pixels");
    }

    // ---- B6: a truncated JPEG was explained as a half-black image. Now an error for --image, a skipped image in a data set.

    [Fact]
    public void B6_ATruncatedJpeg_IsAnErrorForImage_AndSkippedWithAWarningInAFolder()
    {
        var folder = Directory.CreateDirectory(In("photos")).FullName;
        var whole = NoiseJpeg(Path.Combine(folder, "whole.jpg"));
        File.WriteAllBytes(Path.Combine(folder, "cut.jpg"), whole[..(whole.Length * 2 / 3)]);

        Fails(1, Explain("--image", Path.Combine(folder, "cut.jpg")), "is truncated: no end-of-image marker (FFD9) follows its image data");

        var (code, text) = CliRunner.Run(Explain("--image_dir", folder, "--jsonl", In("photos.jsonl")));
        code.Should().Be(0, text);
        Flat(text).Should().Contain("cut.jpg").And.Contain("no end-of-image marker").And.Contain("1 image(s) could not be read");
        ExplanationRecord.ReadAll(In("photos.jsonl")).Select(r => r.Id).Should().Equal("whole.jpg");
    }

    // ---- B7: a second train into the same --output_dir silently replaced the first run. Now refused without --resume/--overwrite.

    [Fact]
    public void B7_ASecondTrainIntoTheSameOutputDir_IsRefused_UntilResumeOrOverwriteSaysWhatToDo()
    {
        var run = In("run");
        CliRunner.Run(TinyTrain(run)).ExitCode.Should().Be(0);

        Fails(1, TinyTrain(run), "already holds a run of this model", "Synthetic_use_slot_checkpoint.pth", "--resume true", "--overwrite true");

        var first = File.ReadAllBytes(Path.Combine(run, "Synthetic_use_slot_checkpoint.pth"));
        var (code, text) = CliRunner.Run(TinyTrain(run, "--overwrite", "true", "--seed", "5"));
        code.Should().Be(0, text);
        File.ReadAllBytes(Path.Combine(run, "Synthetic_use_slot_checkpoint.pth")).Should().NotEqual(first, "--overwrite true replaces the earlier run");
    }

    // ---- P1: a folder given for a file or the reverse said "not found".

    [Theory]
    [InlineData("checkpoint")]
    [InlineData("image")]
    public void P1_AFolderGivenForAFile_IsCalledAFolder(string flag)
    {
        Directory.CreateDirectory(In("folder"));
        var args = flag == "checkpoint" ? Explain().Select(a => a == Checkpoint ? In("folder") : a).ToArray() : Explain("--image", In("folder"));
        Fails(1, args, $"--{flag} {In("folder")} is a folder; a file is expected here");
    }

    [Fact]
    public void P1c_AFileGivenAsTheDatasetDir_IsCalledAFile()
    {
        File.WriteAllText(In("cub.tgz"), "x");
        Fails(1, ["train", "--dataset", "CUB200", "--dataset_dir", In("cub.tgz"), "--output_dir", Output], $"--dataset_dir {In("cub.tgz")} is a file; a folder is expected here");
    }

    // ---- P2: "Could not find a part of the path" when a folder on the way is a file.

    [Fact]
    public void P2_AnOutputUnderAFile_NamesTheFile()
    {
        File.WriteAllText(In("file"), "x");
        Fails(1, Explain("--json", Path.Combine(In("file"), "x.json")), "--json:", $"'{In("file")}' is a file, not a folder");
        Fails(1, Explain("--output_dir", Path.Combine(In("file"), "sub")), "--output_dir:", $"'{In("file")}' is a file, not a folder");
    }

    // ---- P3, P4: safetensors files with a header longer than the file, or a shape whose size overflows.

    [Fact]
    public void P3_ASafetensorsHeaderLongerThanTheFile_IsCalledATruncatedSafetensorsFile()
    {
        WriteSafetensors(In("cut.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", claimExtra: 1000);
        var text = Fails(1, Explain().Select(a => a == Checkpoint ? In("cut.safetensors") : a).ToArray(), "truncated safetensors file: the header length says");
        text.Should().NotContain("torch.save");
    }

    [Fact]
    public void P4_ASafetensorsShapeWhoseSizeOverflows_IsCalledACorruptHeader()
    {
        WriteSafetensors(In("huge.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,8]}}");
        var text = Fails(1, Explain().Select(a => a == Checkpoint ? In("huge.safetensors") : a).ToArray(), "whose size in bytes exceeds 2^63: the header is corrupt");
        text.Should().NotContain("Arithmetic operation");
    }

    // ---- P5: --img_size 99999999999 was "not an integer".

    [Fact]
    public void P5_AnIntegerTooLargeForItsFlag_SaysSoWithTheLimit() =>
        Fails(2, Explain("--img_size", "99999999999"), "--img_size: 99999999999 is too large; the largest allowed value is 4096");

    // ---- P6: the CUB message named the wrong split.

    [Fact]
    public void P6_CubWithoutTestImages_NamesTheTestSplitAndItsFile()
    {
        using var layouts = new DatasetLayouts();
        var cub = layouts.Cub();
        var split = Path.Combine(cub, "train_test_split.txt");
        File.WriteAllLines(split, File.ReadAllLines(split).Select(l => l.Split(' ')[0] + " 1"));
        Fails(1, ["train", "--dataset", "CUB200", "--dataset_dir", cub, "--num_classes", "3", "--pre_trained", "false", "--use_pre", "false", "--output_dir", Output],
            "the test split (is_training_image 0 in train_test_split.txt, used for validation) is empty");
    }

    // ---- P7: cam with a SCOUTER checkpoint printed a raw key list.

    [Fact]
    public void P7_CamWithAScouterCheckpoint_SaysCamWantsTheFcModel() =>
        Fails(1, ["cam", "--checkpoint", Checkpoint, "--output_dir", Output, .. SyntheticCheckpoint.Flags],
            "is a SCOUTER (xSlot) checkpoint, but 'scouter cam' draws the CAM-family maps of the FC baseline");

    // ---- P8: evaluate --max_images -5 meant "all".

    [Fact]
    public void P8_ANegativeImageCount_IsAUsageError() =>
        Fails(2, ["evaluate", "--output_dir", Output, "--max_images", "-5"], "--max_images: -5 is too small; the smallest allowed value is 0");

    // ---- P9: out-of-range values exited 1, and messages named internals.

    [Theory]
    [InlineData("--batch_size", "0", "--batch_size: 0 is too small; the smallest allowed value is 1")]
    [InlineData("--world_size", "4", "--batch_size (2) must be at least the number of data-parallel devices (4)")]
    [InlineData("--img_size", "8", "Synthetic images must be at least 16 pixels wide")]
    [InlineData("--hidden_dim", "63", "--hidden_dim must be an even number")]
    [InlineData("--lr", "0", "--lr must be a finite number > 0")]
    public void P9_AnOutOfRangeValue_ExitsTwo_NamingTheFlagNotTheCode(string flag, string value, string message)
    {
        var text = Fails(2, TinyTrain(Output, "--batch_size", "2", flag, value), message);
        text.Should().NotContain("TrainingOptions.").And.NotContain("ClassifierHeadOptions.").And.NotContain("ScouterLossOptions.").And.NotContain("(Parameter").And.NotContain("Actual value");
    }

    // ---- P10: after Ctrl+C in epoch 1, the message claimed an intact checkpoint that did not exist.

    [Fact]
    public void P10a_CtrlCInTheFirstEpoch_SaysNothingWasSaved()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var (code, text) = CliRunner.Run(cancelled.Token, TinyTrain(Output));

        code.Should().Be(130, text);
        Flat(text).Should().Contain("Cancelled during epoch 1, before any epoch finished: no checkpoint was written").And.NotContain("intact");
        File.Exists(Path.Combine(Output, "Synthetic_use_slot_checkpoint.pth")).Should().BeFalse();
    }

    [Fact]
    public void P10b_CtrlCLater_NamesTheCheckpointThatIsIntact_AndNoFinishedEpochIsLost()
    {
        var latest = Path.Combine(Output, "Synthetic_use_slot_checkpoint.pth");
        using var stop = new CancellationTokenSource();
        // Ctrl+C as soon as the first epoch's checkpoint exists: it lands in a later epoch, whose batches check for it.
        var watcher = new Thread(() =>
        {
            while (!File.Exists(latest))
            {
                Thread.Sleep(5);
            }

            stop.Cancel();
        });
        watcher.Start();

        var (code, text) = CliRunner.Run(stop.Token, TinyTrain(Output, "--epochs", "200"));
        watcher.Join();

        code.Should().Be(130, text);
        var match = System.Text.RegularExpressions.Regex.Match(Flat(text), @"Cancelled during epoch (\d+); the checkpoint of epoch (\d+) is intact: (\S+)\. Continue with --resume true");
        match.Success.Should().BeTrue(text);
        var finished = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        match.Groups[3].Value.Should().Be(latest);
        using var saved = new Scouter.Core.Training.OfficialCheckpointStore().Load(latest);
        saved.Epoch.Should().Be(finished - 1, "the checkpoint is the last finished epoch's");
        File.ReadAllLines(Path.Combine(Output, "Synthetic_use_slot_metrics.csv")).Should().HaveCount(finished + 1, "a header and one row per finished epoch");
    }

    // ---- P11: a writer killed mid-save left a hidden .tmp that the next run did not remove.

    [Fact]
    public void P11_TemporaryFilesOfKilledWriters_AreRemovedWhenTheNextRunStarts_OnlyOursAndOnlyOlder()
    {
        Directory.CreateDirectory(Output);
        var orphan = Path.Combine(Output, $".Synthetic_use_slot_checkpoint.pth.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(Output, ".editor-swap.tmp");
        File.WriteAllText(orphan, "half a checkpoint");
        File.WriteAllText(notOurs, "someone else's");
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddMinutes(-10));
        File.SetLastWriteTimeUtc(notOurs, DateTime.UtcNow.AddMinutes(-10));

        var (code, text) = CliRunner.Run(TinyTrain(Output, "--epochs", "1"));

        code.Should().Be(0, text);
        File.Exists(orphan).Should().BeFalse();
        File.Exists(notOurs).Should().BeTrue();
        Directory.GetFiles(Output, ".*.tmp").Should().Equal(notOurs);
    }

    // ---- Beyond the probe: other files we did not write, and the error boundary itself.

    [Fact]
    public void JsonNamingAFileWeDidNotWrite_LeavesItUntouched()
    {
        File.WriteAllText(In("notes.json"), "{\"mine\": true}");
        Fails(1, Explain("--json", In("notes.json")), "is not a JSON file that 'scouter explain' writes; it is left untouched");
    }

    [Fact]
    public void ExportOfficial_NeverReplacesAnExistingFile_WithoutOverwrite_NorAnyFileThatIsNoCheckpoint()
    {
        File.WriteAllText(In("notes.pth"), "not a checkpoint");
        File.Copy(Checkpoint, In("trained.pth"));
        string[] export = ["export-official", "--use_pre", "false", .. SyntheticCheckpoint.Flags, "--output_dir", Output];
        Fails(1, [.. export, "--checkpoint", In("trained.pth")], "already exists; pass --overwrite true to replace it");
        Fails(1, [.. export, "--checkpoint", In("notes.pth"), "--overwrite", "true"], "is not a checkpoint", "never replaced");
    }

    [Fact]
    public void AChildProcess_ExitsWithTheCodeAndMessage_AndAStackTraceOnlyWithVerbose()
    {
        var (code, text) = CliProcess.Run(Explain("--image", "/dev/zero"));
        code.Should().Be(1, text);
        text.Should().Contain("scouter: error:").And.NotContain("Unhandled exception").And.NotContain("   at ");

        var usage = CliProcess.Run(["train", "--img_size", "100000"]);
        usage.ExitCode.Should().Be(2, usage.Output);

        var verbose = CliProcess.Run(Explain("--image", "/dev/zero", "--verbose"));
        verbose.ExitCode.Should().Be(1, verbose.Output);
        verbose.Output.Should().Contain("CorruptImageException").And.Contain("   at Scouter.");
    }

    internal static byte[] GoodPng()
    {
        using var image = TorchSharp.torch.full([3, 20, 24], 120, TorchSharp.torch.ScalarType.Byte);
        return new TorchSharp.torchvision.io.SkiaImager().EncodeImage(image, TorchSharp.torchvision.ImageFormat.Png);
    }

    private static byte[] NoiseJpeg(string path)
    {
        using var noise = TorchSharp.torch.randint(0, 256, [3, 96, 96], TorchSharp.torch.ScalarType.Byte);
        var bytes = new TorchSharp.torchvision.io.SkiaImager(quality: 95).EncodeImage(noise, TorchSharp.torchvision.ImageFormat.Jpeg);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    /// <summary>A PNG whose header declares the size but that holds no pixel data: the header alone must decide.</summary>
    private static byte[] PngHeader(uint width, uint height) =>
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
        .. BitConverter.GetBytes(width).Reverse(), .. BitConverter.GetBytes(height).Reverse(), 8, 2, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    private static void WriteSafetensors(string path, string header, int claimExtra = 0)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(text.Length + claimExtra));
        text.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }
}
