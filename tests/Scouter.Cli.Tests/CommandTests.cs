using System.Globalization;
using System.Text.RegularExpressions;

namespace Scouter.Cli.Tests;

/// <summary>Verbs and flag checks that need no data on disk.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-cmd-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void Help_ExitsZeroAndListsTheVerbs()
    {
        var (code, text) = CliRunner.Run("--help");
        code.Should().Be(0);
        text.Should().Contain("train").And.Contain("explain").And.Contain("--lambda_value");
    }

    [Fact]
    public void BadFlag_ExitsTwoWithTheMessage()
    {
        var (code, text) = CliRunner.Run("train", "--use_slot", "maybe");
        code.Should().Be(2);
        text.Should().Contain("--use_slot: 'maybe' is not a boolean");
    }

    [Fact]
    public void Evaluate_UnknownMetric_ExitsTwoNamingTheKnownOnes()
    {
        var (code, text) = CliRunner.Run("evaluate", "--output_dir", output, "--metrics", "precision,auc");
        code.Should().Be(2);
        text.Should().Contain("--metrics: unknown metric(s) auc").And.Contain("iauc").And.Contain("sensitivity").And.Contain("class_precision").And.Contain("class_pointing");
    }

    [Fact]
    public void PreTrainedGivenExplicitly_WithoutTheWeightsFile_Fails_NamingTheFile()
    {
        var (code, text) = CliRunner.Run("train", "--pre_trained", "true", "--use_pre", "false", "--pre_dir", output, "--output_dir", output, "--synthetic_train", "64", "--synthetic_val", "16");
        code.Should().Be(1, text);
        text.Should().Contain("ImageNet weights for resnet18 not found").And.Contain(Path.Combine(output, "resnet18.pth"));
    }

    [Fact]
    public void Thop_PrintsParametersAndFlopsThenExits()
    {
        var (code, text) = CliRunner.Run("train", "--thop", "true", "--dataset", "MNIST", "--slots_per_class", "1");
        code.Should().Be(0, text);
        text.Should().Contain("trainable parameters").And.Contain("FLOPs").And.Contain("1x260x260");
        Directory.EnumerateFiles(output).Should().BeEmpty("thop trains nothing");
    }

    [Fact]
    public void Bench_ReportsMediansAndPeakMemory()
    {
        var (code, text) = CliRunner.Run("bench", "--dataset", "Synthetic", "--img_size", "32", "--batch_size", "2", "--num_classes", "3", "--slots_per_class", "1", "--steps", "2");
        code.Should().Be(0, text);
        text.Should().Contain("training step").And.Contain("eval forward").And.Contain("peak RSS");
    }

    [Fact]
    public void SyntheticDefaultRun_WarmsUpTheFcBackboneThenTrainsScouter_AndWritesExplanations()
    {
        var (code, text) = CliRunner.Run("train", "--output_dir", output, "--synthetic_train", "64", "--synthetic_val", "16", "--img_size", "32", "--epochs", "1", "--batch_size", "16", "--num_workers", "0");
        code.Should().Be(0, text);
        text.Should().Contain("Stage 1 of 2").And.Contain("Stage 2 of 2");
        File.Exists(Path.Combine(output, "Synthetic_no_slot_checkpoint.pth")).Should().BeTrue();
        File.Exists(Path.Combine(output, "Synthetic_use_slot_checkpoint.pth")).Should().BeTrue();
        File.Exists(Path.Combine(output, "Synthetic_use_slot_metrics.png")).Should().BeTrue();
        var explanations = Path.Combine(output, "Synthetic_use_slot_explanations");
        Directory.EnumerateFiles(explanations, "*_why_class*.png").Should().NotBeEmpty();

        // One readable panel per explained validation image (four), and the report, whose path is printed.
        var panels = Directory.EnumerateFiles(explanations, "panel_*.png").Select(Path.GetFileName).Order().ToList();
        panels.Should().Equal("panel_0.png", "panel_1.png", "panel_2.png", "panel_3.png");
        using (var panel = Scouter.Core.Data.Imaging.ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(explanations, "panel_0.png")), "png"))
        {
            // 32 px images enlarged 4× to 128 px tiles: the image and three classes across, a colour-scale and a contour row.
            panel.shape[2].Should().BeGreaterThan(4 * 128);
            panel.shape[1].Should().BeGreaterThan(2 * 128);
        }

        var report = Path.Combine(explanations, "report.html");
        var html = File.ReadAllText(report);
        html.Should().Contain("alt=\"panel\"").And.Contain("data:image/png;base64,").And.NotContain("src=\"http");
        Regex.Matches(html, "alt=\"panel\"").Count.Should().Be(4);
        text.Replace("\n", string.Empty, StringComparison.Ordinal).Should().Contain("Report:").And.Contain("report.html");

        // explain draws a panel too, next to the official overlays.
        var (explainCode, explainText) = CliRunner.Run("explain", "--output_dir", output, "--synthetic_train", "64", "--synthetic_val", "16", "--img_size", "32", "--num_workers", "0");
        explainCode.Should().Be(0, explainText);
        File.Exists(Path.Combine(output, "explain", "val0", "panel_0.png")).Should().BeTrue(explainText);
    }

    [Fact]
    public void SyntheticDefaultRun_WarmUpRunsFourFcEpochsWithTheDropBeforeTheLast_ThenTwoScouterEpochsAtTheOfficialRate()
    {
        var (code, text) = CliRunner.Run("train", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "16", "--num_workers", "0");
        code.Should().Be(0, text);

        static string[][] Rows(string path) => File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')).ToArray();
        var fc = Rows(Path.Combine(output, "Synthetic_no_slot_metrics.csv"));
        fc.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).Should().Equal(1e-3, 1e-3, 1e-3, 1e-4);
        var scouter = Rows(Path.Combine(output, "Synthetic_use_slot_metrics.csv"));
        scouter.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).Should().Equal(1e-4, 1e-4);
    }

    [Fact]
    public void SyntheticDefaultRun_CheckpointsRecordTheFlagsTheRunUsed_ProfileValuesIncluded()
    {
        var (code, text) = CliRunner.Run("train", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "16", "--num_workers", "0");
        code.Should().Be(0, text);

        using var fc = Scouter.Core.Interop.OfficialCheckpoint.Read(Path.Combine(output, "Synthetic_no_slot_checkpoint.pth"));
        fc.Args["use_slot"].Should().Be(false);
        fc.Args["lr"].Should().Be(1e-3);
        fc.Args["epochs"].Should().Be(4L);
        fc.Args["lr_drop"].Should().Be(3L);
        fc.Args["img_size"].Should().Be(32L, "explicit flags are recorded as given");
        fc.Args["pre_trained"].Should().Be(false, "the profile's value, not the official default");
        fc.Args["output_stride"].Should().Be(32L, "the warm-up keeps the official architecture");

        using var slot = Scouter.Core.Interop.OfficialCheckpoint.Read(Path.Combine(output, "Synthetic_use_slot_checkpoint.pth"));
        slot.Args["use_slot"].Should().Be(true);
        slot.Args["use_pre"].Should().Be(true);
        slot.Args["lr"].Should().Be(1e-4);
        slot.Args["slots_per_class"].Should().Be(long.Parse(Commands.RunSettings.SyntheticProfile["slots_per_class"], CultureInfo.InvariantCulture));
        slot.Args["epochs"].Should().Be(long.Parse(Commands.RunSettings.SyntheticProfile["epochs"], CultureInfo.InvariantCulture));
        slot.Args["batch_size"].Should().Be(16L);
        slot.Args["output_stride"].Should().Be(8L, "the profile's SCOUTER stage draws 8×8 maps at 64 px");
        slot.Args["slots_per_class"].Should().Be(1L);
        slot.Args["lambda_value"].Should().Be(1.0, "the profile keeps the official λ");

        // Loading the FC checkpoint for a baseline must not warn about slot flags it never used.
        var (camCode, camText) = CliRunner.Run("evaluate", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32",
            "--slots_per_class", Commands.RunSettings.SyntheticProfile["slots_per_class"], "--baselines", "gradcam", "--metrics", "precision", "--max_images", "2", "--num_workers", "0");
        camCode.Should().Be(0, camText);
        camText.Should().NotContain("is used as given").And.NotContain("warning:");
    }

    [Fact]
    public void SyntheticScenes_TrainsWithItsProfile_AndEvaluatesEveryPresentClass()
    {
        string[] data = ["--dataset", "SyntheticScenes", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--num_workers", "0"];
        var (code, text) = CliRunner.Run(["train", .. data, "--epochs", "1", "--batch_size", "16", "--slots_per_class", "1"]);
        code.Should().Be(0, text);
        text.Should().Contain("Stage 1 of 2").And.Contain("on SyntheticScenes at 32 px");
        using (var slot = Scouter.Core.Interop.OfficialCheckpoint.Read(Path.Combine(output, "SyntheticScenes_use_slot_checkpoint.pth")))
        {
            slot.Args["use_pre"].Should().Be(true, "the scene set's profile");
            slot.Args["pre_trained"].Should().Be(false);
            slot.Args["lr_drop"].Should().Be(long.Parse(Commands.RunSettings.SyntheticScenesProfile["lr_drop"], CultureInfo.InvariantCulture));
        }

        var json = Path.Combine(output, "scenes.json");
        var evaluate = CliRunner.Run(["evaluate", .. data, "--slots_per_class", "1", "--baselines", "gradcam", "--metrics", "precision,class_precision,class_pointing",
            "--pointing_tolerance", "2", "--max_images", "8", "--json", json]);

        evaluate.ExitCode.Should().Be(0, evaluate.Output);
        evaluate.Output.Should().Contain("Class precision ↑").And.Contain("Grad-CAM");
        var report = Scouter.Core.Explanations.Metrics.EvaluationReport.FromJson(File.ReadAllText(json));
        report.Settings["pointingTolerance"].Should().Be("2");
        foreach (var row in report.Rows)
        {
            row.Images.Should().Be(8);
            row.ClassPairs.Should().BeInRange(16, 24, "each image holds two or three classes");
            row.ClassPrecision.Should().BeInRange(0, 1);
            row.ClassPointingGame.Should().BeInRange(0, 1);
            row.Precision.Should().BeInRange(0, 1, "the label's region is its shape's mask");
            row.PointingGame.Should().BeNull("not asked for");
        }
    }

    [Fact]
    public void Evaluate_NegativePointingTolerance_ExitsTwo()
    {
        var (code, text) = CliRunner.Run("evaluate", "--output_dir", output, "--pointing_tolerance", "-1");
        code.Should().Be(2, text);
        text.Should().Contain("--pointing_tolerance is a distance in pixels");
    }

    [Fact]
    public void Resume_ContinuesAfterTheLastFinishedEpoch()
    {
        string[] run = ["train", "--use_pre", "false", "--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "16", "--num_workers", "0"];
        CliRunner.Run([.. run, "--epochs", "1"]).ExitCode.Should().Be(0);

        var (code, text) = CliRunner.Run([.. run, "--epochs", "2", "--resume", "true"]);

        code.Should().Be(0, text);
        text.Should().Contain("continuing at epoch 2").And.Contain("Epoch 2/2");
        text.Should().NotContain("Epoch 1/2");
        File.ReadAllLines(Path.Combine(output, "Synthetic_use_slot_metrics.csv")).Skip(1).Select(l => l.Split(',')[0])
            .Should().Equal(["1", "2"], "the resumed run continues the metrics of the run it resumes");
    }

    [Fact]
    public void Sweep_WithAnOutputDir_WritesEachSettingsRunInItsOwnFolder()
    {
        var (code, text) = CliRunner.Run("train", "--use_pre", "false", "--output_dir", output, "--synthetic_train", "16", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "8", "--epochs", "1", "--num_workers", "0",
            "--num_classes", "3", "--slots_per_class", "1", "--lambda_value", "1,2");

        code.Should().Be(0, text);
        foreach (var lambda in new[] { "1", "2" })
        {
            File.Exists(Path.Combine(output, $"sweep_n3_lambda{lambda}_power2_slots1_run1", "Synthetic_use_slot_checkpoint.pth")).Should().BeTrue(text);
        }

        File.Exists(Path.Combine(output, "Synthetic_use_slot_checkpoint.pth")).Should().BeFalse("no setting's run replaces another's");
    }

    [Fact]
    public void Sweep_RunsEverySettingAndPrintsATable()
    {
        var (code, text) = CliRunner.Run("train", "--use_pre", "false", "--output_dir", "", "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "16", "--epochs", "1", "--num_workers", "0", "--lambda_value", "1,10");
        code.Should().Be(0, text);
        text.Should().Contain("Sweep 1/2").And.Contain("Sweep 2/2").And.Contain("val acc");
    }
}
