using System.Text.Json;
using Scouter.Core.Backbones;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Cli.Tests;

/// <summary>
/// A checkpoint carries its settings: <c>explain</c>, <c>cam</c> and <c>evaluate</c> given only <c>--checkpoint</c> (and
/// <c>--image</c>) answer as a run with every training flag repeated, for a model trained here at a non-default size with
/// the MNIST stem and for official-format checkpoints; a given flag that differs is reported.
/// </summary>
public sealed class CheckpointSettingsTests : IClassFixture<CheckpointSettingsTests.TrainedRuns>
{
    private readonly TrainedRuns runs;

    public CheckpointSettingsTests(TrainedRuns runs)
    {
        this.runs = runs;
    }

    /// <summary>An FC baseline and a SCOUTER− model trained once on a tiny IDX set at 48 px, every head flag away from its default.</summary>
    public sealed class TrainedRuns : IDisposable
    {
        private static readonly torchvision.io.SkiaImager Imager = new();

        public TrainedRuns()
        {
            var dir = Layouts.Mnist();
            Output = Path.Combine(Layouts.Root, "out");
            string[] common = ["--dataset", "MNIST", "--dataset_dir", dir, "--model", "resnet18", "--img_size", "48", "--num_classes", "3",
                "--batch_size", "4", "--epochs", "1", "--num_workers", "0", "--pre_trained", "false", "--seed", "7", "--output_dir", Output];
            FcFlags = [.. common, "--use_slot", "false"];
            ScouterFlags = [.. common, "--use_slot", "true", "--use_pre", "true", "--loss_status", "-1", "--slots_per_class", "2",
                "--hidden_dim", "32", "--to_k_layer", "2", "--lambda_value", "2", "--power", "1"];
            Train(FcFlags);
            Train(ScouterFlags);
            FcCheckpoint = Path.Combine(Output, "MNIST_no_slot_checkpoint.pth");
            ScouterCheckpoint = Path.Combine(Output, "MNIST_use_slot_negative_checkpoint.pth");

            // A colour image of another size: the stem's channel count and the trained size both have to be applied.
            manual_seed(5);
            using var pixels = randint(0, 256, [3, 29, 37]).to(ScalarType.Byte);
            Image = Path.Combine(Layouts.Root, "digit.png");
            File.WriteAllBytes(Image, Imager.EncodeImage(pixels, torchvision.ImageFormat.Png));
        }

        public DatasetLayouts Layouts { get; } = new();

        public string Output { get; }

        public string[] FcFlags { get; }

        public string[] ScouterFlags { get; }

        public string FcCheckpoint { get; }

        public string ScouterCheckpoint { get; }

        public string Image { get; }

        public string NewFolder() => Directory.CreateDirectory(Path.Combine(Layouts.Root, Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose() => Layouts.Dispose();

        private static void Train(string[] flags)
        {
            var (code, text) = CliRunner.Run(["train", .. flags]);
            if (code != 0)
            {
                throw new InvalidOperationException(text);
            }
        }
    }

    /// <summary>Runs explain on one image into a fresh folder; returns the console text and the JSON record.</summary>
    private (string Text, JsonElement Record) Explain(string checkpoint, params string[] flags)
    {
        var folder = runs.NewFolder();
        var json = Path.Combine(folder, "explain.json");
        var (code, text) = CliRunner.Run(["explain", .. flags, "--checkpoint", checkpoint, "--image", runs.Image, "--output_dir", folder, "--json", json]);
        code.Should().Be(0, text);
        return (text, JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone());
    }

    private static string Numbers(JsonElement record) =>
        string.Join("|", new[] { "scores", "log_probabilities", "attention", "polarity" }.Select(p => record.GetProperty(p).GetRawText()));

    /// <summary>Every file under a folder, by relative path, with its bytes.</summary>
    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public void Explain_WithTheCheckpointAlone_AnswersAsWithEveryTrainingFlag_AndAsTheLibrary()
    {
        var (alone, aloneRecord) = Explain(runs.ScouterCheckpoint);
        var (_, repeatedRecord) = Explain(runs.ScouterCheckpoint, runs.ScouterFlags);

        Numbers(aloneRecord).Should().Be(Numbers(repeatedRecord));
        alone.Should().NotContain("warning:").And.Contain("1-channel 48 px input");
        aloneRecord.GetProperty("polarity").GetString().Should().Be("Negative");
        aloneRecord.GetProperty("class_names").EnumerateArray().Select(n => n.GetString()).Should().Equal(["0", "1", "2"], "the data set's folder comes from the checkpoint too");

        // The CLI's channels-last weights round differently in their last bit; in the standard layout it is the library's model.
        var (_, standardLayout) = Explain(runs.ScouterCheckpoint, "--channels_last", "false");
        using var trained = TrainedModel.Load(runs.ScouterCheckpoint);
        using var output = trained.Explain(runs.Image);
        var scores = standardLayout.GetProperty("scores").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        scores.Should().Equal(output.Scores[0].data<float>().ToArray(), "the CLI and the library load the same model and preprocessing");
    }

    [Fact]
    public void Explain_ChoosesTheInferenceLayout_UnlessAFlagForcesOne()
    {
        // explain only runs forward passes: the inference rule decides, and says so; a flag still wins.
        var expected = PerformanceDefaults.InferenceConvolutionLayout("resnet18");

        var (chosen, _) = Explain(runs.ScouterCheckpoint);
        var (forced, _) = Explain(runs.ScouterCheckpoint, "--channels_last", "false");

        Flat(chosen).Should().Contain("Convolution layout: " + (expected.Enabled ? "channels-last convolution weights for inference: resnet18" : "plain layout: "))
            .And.NotContain("--channels_last false");
        Flat(forced).Should().Contain("Convolution layout: plain layout (--channels_last false)");
    }

    // The console wraps long log lines.
    private static string Flat(string text) => string.Join(' ', text.Split(new[] { '\n', '\r', ' ' }, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Explain_AGivenFlagThatDiffers_IsUsedWithAWarningNamingBothValues()
    {
        var (alone, aloneRecord) = Explain(runs.ScouterCheckpoint);
        var (text, record) = Explain(runs.ScouterCheckpoint, "--img_size", "260");

        text.Should().Contain("--img_size 260 is used as given").And.Contain("trained with img_size 48");
        record.GetProperty("attention")[0].GetArrayLength().Should().BeGreaterThan(aloneRecord.GetProperty("attention")[0].GetArrayLength(), "260 px give a larger feature map");
        Numbers(record).Should().NotBe(Numbers(aloneRecord));
        alone.Should().NotContain("is used as given");
    }

    [Theory]
    [InlineData("--num_classes", "5", "num_classes 3")]
    [InlineData("--model", "resnet34", "model resnet18")]
    [InlineData("--hidden_dim", "64", "hidden_dim 32")]
    [InlineData("--loss_status", "1", "loss_status -1")]
    public void Explain_AGivenFlagTheWeightsContradict_StopsNamingBothValues(string flag, string value, string saved)
    {
        var (code, text) = CliRunner.Run(["explain", "--checkpoint", runs.ScouterCheckpoint, "--image", runs.Image, "--output_dir", runs.NewFolder(), flag, value]);

        code.Should().Be(1, text);
        text.Should().Contain($"{flag} {value} does not fit").And.Contain($"trained with {saved}");
    }

    [Fact]
    public void Explain_ADataSetWithAnotherChannelCount_Stops()
    {
        var (code, text) = CliRunner.Run(["explain", "--checkpoint", runs.ScouterCheckpoint, "--image", runs.Image, "--output_dir", runs.NewFolder(), "--dataset", "CUB200"]);

        code.Should().Be(1, text);
        text.Should().Contain("--dataset CUB200 has 3-channel images").And.Contain("takes 1-channel images").And.Contain("trained on MNIST");
    }

    [Fact]
    public void ExplainJsonl_WithTheCheckpointAlone_WritesWhatEveryTrainingFlagWrites()
    {
        var alone = Path.Combine(runs.NewFolder(), "alone.jsonl");
        var repeated = Path.Combine(runs.NewFolder(), "repeated.jsonl");

        CliRunner.Run(["explain", "--checkpoint", runs.ScouterCheckpoint, "--jsonl", alone]).ExitCode.Should().Be(0);
        CliRunner.Run(["explain", .. runs.ScouterFlags, "--checkpoint", runs.ScouterCheckpoint, "--jsonl", repeated]).ExitCode.Should().Be(0);

        File.ReadAllLines(alone).Should().HaveCount(6, "the validation split of the checkpoint's data set").And.Equal(File.ReadAllLines(repeated));
    }

    [Fact]
    public void Cam_WithTheFcCheckpointAlone_DrawsWhatEveryTrainingFlagDraws_AndRefusesAScouterCheckpoint()
    {
        var alone = runs.NewFolder();
        var repeated = runs.NewFolder();

        var first = CliRunner.Run(["cam", "--checkpoint", runs.FcCheckpoint, "--image", runs.Image, "--output_dir", alone, "--cam_samples", "2"]);
        var second = CliRunner.Run(["cam", .. runs.FcFlags, "--checkpoint", runs.FcCheckpoint, "--image", runs.Image, "--output_dir", repeated, "--cam_samples", "2"]);

        first.ExitCode.Should().Be(0, first.Output);
        second.ExitCode.Should().Be(0, second.Output);
        var expected = Files(repeated);
        expected.Should().HaveCountGreaterThan(3 * Core.Explanations.Cam.SaliencyMethodRegistry.Default.Names.Count);
        var actual = Files(alone);
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        actual.Should().AllSatisfy(file => file.Value.Should().Equal(expected[file.Key], file.Key));

        var wrong = CliRunner.Run(["cam", "--checkpoint", runs.ScouterCheckpoint, "--image", runs.Image, "--output_dir", runs.NewFolder()]);
        wrong.ExitCode.Should().Be(1);
        wrong.Output.Should().Contain("is a SCOUTER (xSlot) checkpoint").And.Contain("FC baseline");
    }

    [Fact]
    public void Evaluate_WithTheCheckpointAlone_ScoresWhatEveryTrainingFlagScores()
    {
        var alone = Path.Combine(runs.NewFolder(), "alone.json");
        var repeated = Path.Combine(runs.NewFolder(), "repeated.json");

        // --batch_size is how many images evaluate scores at once, not a model setting, and infidelity's noise is keyed
        // by an image's row in its batch: the repeated run keeps evaluate's default rather than training's 4.
        var first = CliRunner.Run(["evaluate", "--checkpoint", runs.ScouterCheckpoint, "--json", alone, "--baselines", "none"]);
        var second = CliRunner.Run(["evaluate", .. runs.ScouterFlags, "--batch_size", "64", "--checkpoint", runs.ScouterCheckpoint, "--json", repeated, "--baselines", "none"]);

        first.ExitCode.Should().Be(0, first.Output);
        second.ExitCode.Should().Be(0, second.Output);
        first.Output.Should().Contain("no ground-truth boxes or masks");
        var row = EvaluationReport.FromJson(File.ReadAllText(alone)).Rows.Single();
        row.Images.Should().Be(6);
        row.Precision.Should().BeNull("MNIST has no boxes");
        double.IsNaN(row.DeletionAuc).Should().BeFalse();
        File.ReadAllText(alone).Should().Be(File.ReadAllText(repeated));
    }

    [Fact]
    public void Evaluate_FindsTheFcBaselineOfTheCheckpointsDataSet()
    {
        var json = Path.Combine(runs.NewFolder(), "eval.json");

        var (code, text) = CliRunner.Run(["evaluate", "--checkpoint", runs.ScouterCheckpoint, "--output_dir", runs.Output, "--json", json, "--metrics", "none", "--baselines", "gradcam"]);

        code.Should().Be(0, text);
        EvaluationReport.FromJson(File.ReadAllText(json)).Rows.Select(r => r.Method).Should().HaveCount(2).And.Contain("Grad-CAM");
    }

    [Fact]
    public void OfficialCheckpoint_WithTheCheckpointAlone_AnswersAsWithEveryFlag()
    {
        // Written as the official train.py pickles it: sweep flags as strings, none of our flags, hidden_dim and
        // to_k_layer missing (official defaults 64 and 1), dataset_dir the official default (a CUB path, not here).
        var path = Path.Combine(runs.NewFolder(), "MNIST_use_slot_checkpoint.pth");
        manual_seed(21);
        using (var backbone = BackboneRegistry.Default.Create("resnet34", inputChannels: 1))
        using (var model = ScouterModel.Create(backbone.Features, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 512, NumClasses = 3, SlotsPerClass = 1 })))
        {
            OfficialCheckpoint.Write(path, model, new OfficialArgs(new Dictionary<string, object?>
            {
                ["model"] = "resnet34", ["dataset"] = "MNIST", ["channel"] = 512L, ["num_classes"] = "3", ["img_size"] = 40L, ["use_slot"] = true,
                ["loss_status"] = 1L, ["slots_per_class"] = "1", ["power"] = "1", ["lambda_value"] = "1.", ["device"] = "cuda",
                ["dataset_dir"] = "../PAN/bird_200/CUB_200_2011/CUB_200_2011/", ["use_pre"] = true,
            }), epoch: 9);
        }

        string[] everyFlag = ["--dataset", "MNIST", "--model", "resnet34", "--channel", "512", "--num_classes", "3", "--img_size", "40", "--use_slot", "true",
            "--loss_status", "1", "--slots_per_class", "1", "--power", "1", "--lambda_value", "1.", "--hidden_dim", "64", "--to_k_layer", "1"];
        var (alone, aloneRecord) = Explain(path);
        var (_, repeatedRecord) = Explain(path, everyFlag);

        Numbers(aloneRecord).Should().Be(Numbers(repeatedRecord));
        alone.Should().Contain("class names are unknown").And.Contain("1-channel 40 px input");
        aloneRecord.GetProperty("attention")[0].GetArrayLength().Should().Be(2, "40 px through a stride-32 resnet34 give a 2×2 map");

        // Evaluate needs the images: the official code reads MNIST from ./data/mnist, so the folder is given.
        var mnist = Path.Combine(runs.Layouts.Root, "mnist");
        var first = Path.Combine(runs.NewFolder(), "alone.json");
        var second = Path.Combine(runs.NewFolder(), "repeated.json");
        CliRunner.Run(["evaluate", "--checkpoint", path, "--dataset_dir", mnist, "--json", first, "--baselines", "none", "--metrics", "iauc,dauc"]).ExitCode.Should().Be(0);
        CliRunner.Run(["evaluate", .. everyFlag, "--checkpoint", path, "--dataset_dir", mnist, "--json", second, "--baselines", "none", "--metrics", "iauc,dauc"]).ExitCode.Should().Be(0);
        File.ReadAllText(first).Should().Be(File.ReadAllText(second));
    }

    [Fact]
    public void OfficialFcCheckpoint_Cam_WithTheCheckpointAlone_DrawsWhatEveryFlagDraws()
    {
        var path = Path.Combine(runs.NewFolder(), "MNIST_no_slot_checkpoint.pth");
        manual_seed(22);
        using (var backbone = BackboneRegistry.Default.Create("resnet18", inputChannels: 1))
        using (var model = ScouterModel.Create(backbone.Features, FcClassifierHead.Create(512, 3)))
        {
            OfficialCheckpoint.Write(path, model, new OfficialArgs(new Dictionary<string, object?>
            {
                ["model"] = "resnet18", ["dataset"] = "MNIST", ["num_classes"] = "3", ["img_size"] = 40L, ["use_slot"] = false, ["grad"] = true,
            }));
        }

        var alone = runs.NewFolder();
        var repeated = runs.NewFolder();
        var first = CliRunner.Run(["cam", "--checkpoint", path, "--image", runs.Image, "--output_dir", alone, "--cam_samples", "2"]);
        var second = CliRunner.Run(["cam", "--dataset", "MNIST", "--model", "resnet18", "--num_classes", "3", "--img_size", "40", "--use_slot", "false",
            "--checkpoint", path, "--image", runs.Image, "--output_dir", repeated, "--cam_samples", "2"]);

        first.ExitCode.Should().Be(0, first.Output);
        second.ExitCode.Should().Be(0, second.Output);

        var expected = Files(repeated);
        var actual = Files(alone);
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        actual.Should().AllSatisfy(file => file.Value.Should().Equal(expected[file.Key], file.Key));
    }
}
