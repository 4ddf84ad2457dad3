namespace Scouter.Cli.Tests;

/// <summary>
/// Every data set layout of the seed, end to end through the CLI: FC pre-training, then SCOUTER from that backbone
/// (<c>--use_pre true</c>), then <c>explain</c>. The seed's own command lines are used, with small-data overrides
/// appended (argparse keeps a flag's last value). The backbone is resnet18 in the full matrix to keep CI fast; the
/// recipes that name a ResNeSt are also run once with their own backbone.
/// </summary>
public sealed class SeedCommandTests : IDisposable
{
    private readonly DatasetLayouts layouts = new();

    public void Dispose() => layouts.Dispose();

    private static string[] Small(string datasetDir, string outputDir) =>
        ["--model", "resnet18", "--channel", "512", .. SmallKeepingTheModel(datasetDir, outputDir)];

    private static string[] SmallKeepingTheModel(string datasetDir, string outputDir) =>
        ["--num_classes", "3", "--img_size", "64", "--batch_size", "4", "--epochs", "1",
         "--num_workers", "0", "--pre_trained", "false", "--dataset_dir", datasetDir, "--output_dir", outputDir];

    public static TheoryData<string, string, string, string, string> Seeds => new()
    {
        {
            "MNIST",
            "--dataset MNIST --model resnet18 --batch_size 64 --epochs 10 --num_classes 10 --use_slot false --vis false --aug false",
            "--dataset MNIST --model resnet18 --batch_size 64 --epochs 10 --num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 --power 1 --to_k_layer 1 --lambda_value 1. --vis false --channel 512 --aug false",
            "--dataset MNIST --model resnet18 --batch_size 64 --epochs 10 --num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 --power 1 --to_k_layer 1 --lambda_value 1. --vis true --channel 512 --aug false",
            "MNIST_use_slot_checkpoint.pth"
        },
        {
            "CUB200",
            "--dataset CUB200 --model resnest50d --batch_size 64 --epochs 150 --num_classes 25 --use_slot false --vis false --channel 2048",
            "--dataset CUB200 --model resnest50d --batch_size 64 --epochs 150 --num_classes 25 --use_slot true --use_pre true --loss_status -1 --slots_per_class 3 --power 2 --to_k_layer 3 --lambda_value 1. --vis false --channel 2048 --freeze_layers 2",
            "--dataset CUB200 --model resnest50d --batch_size 64 --epochs 150 --num_classes 25 --use_slot true --use_pre true --loss_status -1 --slots_per_class 3 --power 2 --to_k_layer 3 --lambda_value 1. --vis true --channel 2048 --freeze_layers 2",
            "CUB200_use_slot_negative_checkpoint.pth"
        },
        {
            "ConText",
            "--dataset ConText --model resnest26d --batch_size 200 --epochs 100 --num_classes 30 --use_slot false --vis false",
            "--dataset ConText --model resnest26d --batch_size 200 --epochs 100 --num_classes 30 --use_slot true --use_pre true --loss_status 1 --slots_per_class 3 --power 2 --to_k_layer 3 --lambda_value .2 --vis false --channel 2048",
            "--dataset ConText --model resnest26d --batch_size 200 --epochs 100 --num_classes 30 --use_slot true --use_pre true --loss_status 1 --slots_per_class 3 --power 2 --to_k_layer 3 --lambda_value 1. --vis true --channel 2048",
            "ConText_use_slot_checkpoint.pth"
        },
        {
            "ImageNet",
            "--dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 --num_classes 10 --use_slot false --vis false --channel 2048 --freeze_layers 0",
            "--dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 --num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 --power 2 --to_k_layer 3 --lambda_value 1 --vis false --channel 2048 --freeze_layers 0",
            "--dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 --num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 --power 2 --to_k_layer 3 --lambda_value 1 --vis true --channel 2048 --freeze_layers 0",
            "ImageNet_use_slot_checkpoint.pth"
        },
        {
            "ImageFolder",
            "--dataset ImageFolder --use_slot false",
            "--dataset ImageFolder --use_slot true --use_pre true --loss_status -1 --slots_per_class 2",
            "--dataset ImageFolder --use_slot true --loss_status -1 --slots_per_class 2 --vis true",
            "ImageFolder_use_slot_negative_checkpoint.pth"
        },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SeedRecipe_PretrainsFcThenTrainsScouterFromItThenExplains(string dataset, string fcFlags, string scouterFlags, string visFlags, string checkpoint) =>
        RunRecipe(dataset, fcFlags, scouterFlags, visFlags, checkpoint, Small);

    [Theory]
    [InlineData("CUB200", "resnest50d")]
    [InlineData("ImageNet", "resnest26d")]
    public void SeedRecipe_WithItsOwnResNeStBackbone_RunsEndToEnd(string dataset, string model)
    {
        var seed = Seeds.Single(row => (string)row[0] == dataset);
        ((string)seed[1]).Should().Contain("--model " + model, "the seed names this backbone");
        RunRecipe(dataset, (string)seed[1], (string)seed[2], (string)seed[3], (string)seed[4], SmallKeepingTheModel);
    }

    private void RunRecipe(string dataset, string fcFlags, string scouterFlags, string visFlags, string checkpoint, Func<string, string, string[]> small)
    {
        var dir = dataset switch
        {
            "MNIST" => layouts.Mnist(),
            "CUB200" => layouts.Cub(),
            "ConText" => layouts.ConText(),
            "ImageNet" => layouts.ImageNet(),
            _ => layouts.ImageFolder(),
        };
        var output = Path.Combine(layouts.Root, "out-" + dataset);

        var fc = CliRunner.Run(CliRunner.Command("train", fcFlags, small(dir, output)));
        fc.ExitCode.Should().Be(0, fc.Output);
        File.Exists(Path.Combine(output, $"{dataset}_no_slot_checkpoint.pth")).Should().BeTrue(fc.Output);
        File.Exists(Path.Combine(output, $"{dataset}_no_slot_metrics.csv")).Should().BeTrue();

        var scouter = CliRunner.Run(CliRunner.Command("train", scouterFlags, small(dir, output)));
        scouter.ExitCode.Should().Be(0, scouter.Output);
        scouter.Output.Should().Contain("Backbone initialised from the FC baseline");
        File.Exists(Path.Combine(output, checkpoint)).Should().BeTrue(scouter.Output);

        var json = Path.Combine(output, "explain.json");
        var explain = CliRunner.Run(CliRunner.Command("explain", visFlags, [.. small(dir, output), "--json", json, "--cal_area_size", "true"]));
        explain.ExitCode.Should().Be(0, explain.Output);
        explain.Output.Should().Contain("area size");
        var record = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        record.GetProperty("class_names").GetArrayLength().Should().Be(3);
        var attention = record.GetProperty("attention");
        attention.GetArrayLength().Should().Be(3, "one raw grid per class");
        attention[0].GetArrayLength().Should().Be(2, "64 px through a stride-32 backbone gives a 2×2 map");
        record.GetProperty("log_probabilities").EnumerateArray().Sum(v => Math.Exp(v.GetDouble())).Should().BeApproximately(1.0, 1e-4);
        Directory.EnumerateFiles(Path.Combine(output, "explain"), "*_class*.png", SearchOption.AllDirectories).Should().HaveCountGreaterThanOrEqualTo(3 * 2);
    }

    [Fact]
    public void Explain_AGivenImageWithTheCheckpointAlone_NeedsNoDataSetOnDisk()
    {
        var dir = layouts.ImageFolder();
        var output = Path.Combine(layouts.Root, "out-image");
        CliRunner.Run(["train", "--dataset", "ImageFolder", "--use_slot", "true", "--slots_per_class", "1", .. Small(dir, output)]).ExitCode.Should().Be(0);
        var checkpoint = Path.Combine(output, "ImageFolder_use_slot_checkpoint.pth");
        var image = Directory.EnumerateFiles(dir, "*.jpg", SearchOption.AllDirectories).First();

        // A fresh machine: only the checkpoint (its args give the architecture) and the image.
        var json = Path.Combine(output, "one.json");
        var explain = CliRunner.Run(["explain", "--checkpoint", checkpoint, "--image", image, "--dataset", "ImageFolder", "--dataset_dir", Path.Combine(layouts.Root, "missing"),
            "--img_size", "64", "--output_dir", output, "--json", json]);

        explain.ExitCode.Should().Be(0, explain.Output);
        explain.Output.Should().Contain("class names are unknown");
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("class_names")[2].GetString().Should().Be("class 2");
    }

    [Fact]
    public void Cam_RendersEveryBaselineForEveryClass_AndEvaluatePrintsTheMetricTable()
    {
        var dir = layouts.Cub();
        var output = Path.Combine(layouts.Root, "out-cam");
        CliRunner.Run(["train", "--dataset", "CUB200", "--use_slot", "false", .. Small(dir, output)]).ExitCode.Should().Be(0);
        CliRunner.Run(["train", "--dataset", "CUB200", "--use_slot", "true", "--use_pre", "true", "--slots_per_class", "1", .. Small(dir, output)]).ExitCode.Should().Be(0);

        // The sampling methods cost hundreds of forward passes per class and sample (SS-CAM: 35 × 512 for resnet18);
        // two samples each keep this test short, the methods' own tests use their defaults' logic.
        var cam = CliRunner.Run(["cam", "--dataset", "CUB200", "--grad", "true", "--use_pre", "true", "--cam_samples", "2", .. Small(dir, output)]);
        cam.ExitCode.Should().Be(0, cam.Output);
        foreach (var method in Scouter.Core.Explanations.Cam.SaliencyMethodRegistry.Default.Names)
        {
            Directory.EnumerateFiles(Path.Combine(output, "cam", "val0", method), "0_why_class*.png").Where(f => !f.EndsWith("_mask.png")).Should().HaveCount(3, method);
        }

        var json = Path.Combine(output, "eval.json");
        var evaluate = CliRunner.Run(["evaluate", "--dataset", "CUB200", "--baselines", "gradcam", "--json", json, .. Small(dir, output)]);
        evaluate.ExitCode.Should().Be(0, evaluate.Output);
        evaluate.Output.Should().Contain("SCOUTER+").And.Contain("Grad-CAM").And.Contain("Precision");
        File.Exists(json).Should().BeTrue();
    }
}
