namespace Scouter.Cli.Tests;

/// <summary>
/// Tests that change a process-wide setting for the command they run (the decoding limit, <c>--max_image_pixels</c>)
/// must not overlap with other tests, which would decode under it; nor may tests that read a process-wide count
/// (<c>Tensor.TotalCount</c>), which other tests' tensors would change.
/// </summary>
[CollectionDefinition(nameof(ProcessWideSettings), DisableParallelization = true)]
public sealed class ProcessWideSettings;

/// <summary><c>--max_image_pixels</c> sets the decoding limit for the command, and only for it.</summary>
[Collection(nameof(ProcessWideSettings))]
public sealed class DecodingLimitTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("scouter-limit-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void MaxImagePixels_RefusesLargerImages_AndTheDefaultIsBackAfterTheCommand()
    {
        using var checkpoint = new InitialCheckpoint();
        var model = checkpoint.Path;
        var image = Path.Combine(folder, "small.png");
        File.WriteAllBytes(image, BadInputCatalogueTests.GoodPng());
        string[] explain = ["explain", "--checkpoint", model, "--output_dir", Path.Combine(folder, "out"), .. SyntheticCheckpoint.Flags, "--image", image];

        var (code, text) = CliRunner.Run([.. explain, "--max_image_pixels", "100"]);
        code.Should().Be(1, text);
        string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries)).Should().Contain("24 × 20 = 480 pixels, more than the decoding limit of 100 pixels");
        Scouter.Core.Data.Imaging.ImageDecoder.MaxPixels.Should().Be(Scouter.Core.Data.Imaging.ImageDecoder.DefaultMaxPixels);

        CliRunner.Run([.. explain, "--max_image_pixels", "480"]).ExitCode.Should().Be(0);
        CliRunner.Run([.. explain, "--max_image_pixels", "0"]).ExitCode.Should().Be(0, "0 lifts the limit");
    }
}
