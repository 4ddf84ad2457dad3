using System.Diagnostics;
using Scouter.Core.Explanations.Bulk;

namespace Scouter.Cli.Tests;

/// <summary>A small SCOUTER checkpoint on the synthetic set, trained once for the bulk explanation tests.</summary>
public sealed class SyntheticCheckpoint : IDisposable
{
    public SyntheticCheckpoint()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("scouter-bulk-").FullName;
        var (code, text) = CliRunner.Run(["train", "--use_pre", "false", "--output_dir", Directory, .. Flags, "--synthetic_train", "32", "--epochs", "1", "--batch_size", "16", "--num_workers", "0"]);
        if (code != 0)
        {
            throw new InvalidOperationException("Training the test checkpoint failed:\n" + text);
        }
    }

    /// <summary>The flags every command of these tests shares: the model's shape and the data.</summary>
    public static readonly string[] Flags = ["--img_size", "32", "--num_classes", "3", "--slots_per_class", "1"];

    public string Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary><c>scouter explain --jsonl</c>: a whole split or folder, one line per image, resumable.</summary>
public sealed class BulkExplainTests(SyntheticCheckpoint checkpoint) : IClassFixture<SyntheticCheckpoint>, IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-bulk-out-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private string[] Explain(int valCount, string jsonl, params string[] more) =>
        ["explain", "--output_dir", checkpoint.Directory, .. SyntheticCheckpoint.Flags, "--synthetic_val", valCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--jsonl", jsonl, .. more];

    [Fact]
    public void Jsonl_WritesOneLinePerValidationImage_WithOverlays_AndARerunAddsNothing()
    {
        var jsonl = Path.Combine(output, "val.jsonl");
        var overlays = Path.Combine(output, "overlays");

        var (code, text) = CliRunner.Run(Explain(10, jsonl, "--top_k", "2", "--overlays", overlays, "--batch_size", "4", "--num_workers", "0"));

        code.Should().Be(0, text);
        text.Should().Contain("explained 10/10 images").And.Contain("images/s").And.Contain("20 overlays written");
        var records = ExplanationRecord.ReadAll(jsonl).ToList();
        records.Select(r => r.Id).Should().Equal(Enumerable.Range(0, 10).Select(i => $"val/{i}"));
        records.Should().OnlyContain(r => r.Maps.Count == 2 && r.Probabilities.Count == 3 && r.Label == r.Index % 3);
        Directory.EnumerateFiles(Path.Combine(overlays, "val"), "*_why_class*.png").Should().HaveCount(20);

        var before = File.ReadAllBytes(jsonl);
        var again = CliRunner.Run(Explain(10, jsonl, "--top_k", "2", "--num_workers", "0"));
        again.ExitCode.Should().Be(0, again.Output);
        again.Output.Should().Contain("10 of 10 images").And.Contain("10 already there");
        File.ReadAllBytes(jsonl).Should().Equal(before);
    }

    [Fact]
    public void Jsonl_OverAnImageFolder_IdsAreRelativePaths_AndNoDataSetIsNeeded()
    {
        var images = Path.Combine(output, "images");
        using var picture = TorchSharp.torch.full([3, 20, 24], 90, TorchSharp.torch.ScalarType.Byte);
        Scouter.Core.Explanations.Rendering.Png.Write(picture, Path.Combine(images, "x", "a.png"));
        Scouter.Core.Explanations.Rendering.Png.Write(picture, Path.Combine(images, "b.png"));
        var jsonl = Path.Combine(output, "folder.jsonl");

        var (code, text) = CliRunner.Run(Explain(10, jsonl, "--image_dir", images, "--map_size", "8", "--num_workers", "0"));

        code.Should().Be(0, text);
        var records = ExplanationRecord.ReadAll(jsonl).ToList();
        records.Select(r => r.Id).Should().Equal("b.png", "x/a.png");
        records.Should().OnlyContain(r => r.Label == null && r.MapSize.SequenceEqual(new[] { 8, 8 }) && r.Maps[0].Pixels().Length == 64);
    }

    [Fact]
    public void Split_OtherThanValOrTrain_IsAUsageError()
    {
        var (code, text) = CliRunner.Run(Explain(4, Path.Combine(output, "x.jsonl"), "--split", "test"));

        code.Should().Be(2, text);
        text.Should().Contain("--split must be val or train; got 'test'");
    }

    [Fact]
    public void Image_TogetherWithJsonl_IsAUsageError()
    {
        var (code, text) = CliRunner.Run(Explain(4, Path.Combine(output, "x.jsonl"), "--image", Path.Combine(output, "a.png")));

        code.Should().Be(2, text);
        text.Should().Contain("give one or the other");
    }

    [Fact]
    public void AFileThatIsNotAnExplanationFile_StopsWithItsLineNumber_AndStaysByteIdentical_EvenWithOverwrite()
    {
        var jsonl = Path.Combine(output, "other.jsonl");
        File.WriteAllText(jsonl, "{\"name\":\"not ours\"}\n{\"name\":\"nor th");
        var before = File.ReadAllBytes(jsonl);

        foreach (var overwrite in new[] { "false", "true" })
        {
            var (code, text) = CliRunner.Run(Explain(4, jsonl, "--num_workers", "0", "--overwrite", overwrite));
            code.Should().Be(1, text);
            text.Should().Contain("scouter: error:").And.Contain("line 1").And.Contain("expected an explanation record").And.Contain("left untouched");
            File.ReadAllBytes(jsonl).Should().Equal(before);
        }
    }

    [Fact]
    public void Overwrite_StartsAnExplanationFileAfresh()
    {
        var jsonl = Path.Combine(output, "again.jsonl");
        CliRunner.Run(Explain(6, jsonl, "--num_workers", "0")).ExitCode.Should().Be(0);

        var (code, text) = CliRunner.Run(Explain(3, jsonl, "--num_workers", "0", "--overwrite", "true"));

        code.Should().Be(0, text);
        ExplanationRecord.ReadAll(jsonl).Select(r => r.Id).Should().Equal("val/0", "val/1", "val/2");
    }

    /// <summary>
    /// The "done when": a real <c>scouter</c> process explaining the validation split is killed midway, and the
    /// same command run again completes the file with every validation image exactly once.
    /// </summary>
    [Fact]
    public void KilledMidway_ARerunCompletesTheFile_WithEveryValidationImageExactlyOnce()
    {
        const int images = 400;
        var jsonl = Path.Combine(output, "killed.jsonl");
        string[] command = [.. Explain(images, jsonl, "--batch_size", "8", "--num_workers", "0")];

        int linesAtKill;
        var childOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var child = CliProcess.Start([.. command, "--threads", "1"], childOutput))
        {
            var clock = Stopwatch.StartNew();
            while (CompleteLines(jsonl) < 16)
            {
                child.HasExited.Should().BeFalse("the child must still be running; it wrote:\n" + string.Join("\n", childOutput));
                clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(3), "the child should start writing within minutes");
                Thread.Sleep(10);
            }

            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            linesAtKill = CompleteLines(jsonl);
        }

        linesAtKill.Should().BeInRange(16, images - 1, "the process was killed midway");

        // In-process, without the child's --threads 1, which would change this test host's LibTorch threads.
        var (code, text) = CliRunner.Run(command);

        code.Should().Be(0, text);
        text.Should().Contain($"of {images} images in").And.Contain("already there");
        var bytes = File.ReadAllBytes(jsonl);
        bytes[^1].Should().Be((byte)'\n');
        var ids = File.ReadAllLines(jsonl).Select(l => ExplanationRecord.Parse(l).Id).ToList();
        ids.Should().HaveCount(images).And.OnlyHaveUniqueItems();
        ids.Should().BeEquivalentTo(Enumerable.Range(0, images).Select(i => $"val/{i}"));
    }

    private static int CompleteLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            count += b == '\n' ? 1 : 0;
        }

        return count;
    }
}
