using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Scouter.Cli.Arguments;
using Scouter.Cli.Commands;
using Scouter.Core.Backbones;
using Scouter.Core.Modules;
using Scouter.Core.Onnx;
using Spectre.Console;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Scouter.Cli.Tests;

/// <summary>
/// <c>scouter export-onnx</c> turns a trained checkpoint into an ONNX model that ONNX Runtime runs to the same
/// log-probabilities and maps; <c>--model onnx:PATH</c> trains on an imported ONNX backbone.
/// </summary>
public sealed class OnnxCommandTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("scouter-onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private string[] Small => ["--output_dir", output, "--synthetic_train", "32", "--synthetic_val", "8", "--img_size", "32", "--batch_size", "16", "--num_workers", "0", "--epochs", "1"];

    [Fact]
    public void ExportOnnx_TrainedCheckpoint_RunsInOnnxRuntime_WithTheCheckpointsOutputs()
    {
        var (trainCode, trainText) = CliRunner.Run(["train", "--use_pre", "false", "--loss_status", "-1", .. Small]);
        trainCode.Should().Be(0, trainText);
        var onnxPath = Path.Combine(output, "model.onnx");

        var (code, text) = CliRunner.Run(["export-onnx", "--output", onnxPath, "--loss_status", "-1", .. Small]);

        code.Should().Be(0, text);
        text.Should().Contain("opset 17").And.Contain("class_maps_upsampled");
        var parsed = ArgumentParser.Parse(["explain", "--loss_status", "-1", .. Small]);
        using var run = CheckpointRun.Load(parsed, new CommandContext(AnsiConsole.Create(new AnsiConsoleSettings()), NullLoggerFactory.Instance, default));
        using var image = run.Transform.Apply(run.RequireData().Val.ReadImage(0)).unsqueeze(0);
        using var session = new InferenceSession(onnxPath);
        session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.InputHeight].Should().Be("32", "the checkpoint was trained at 32 px");
        session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.Polarity].Should().Be("negative");
        session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ClassNames].Should().Contain(run.ClassNames[0]);

        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Images, new DenseTensor<float>(image.data<float>().ToArray(), [1, 3, 32, 32]))]);
        using var noGrad = no_grad();
        using var expected = run.Model.ForwardDetailed(image);
        using var logProbabilities = expected.LogProbabilities();
        Close(results.Single(r => r.Name == OnnxNames.LogProbabilities).AsTensor<float>().ToArray(), logProbabilities);
        Close(results.Single(r => r.Name == OnnxNames.ClassMaps).AsTensor<float>().ToArray(), expected.ClassMaps!);
    }

    [Fact]
    public void ExportOnnx_WithoutOutput_IsAUsageError()
    {
        var (code, text) = CliRunner.Run("export-onnx", "--output_dir", output);
        code.Should().Be(2, text);
        text.Should().Contain("export-onnx needs --output");
    }

    [Fact]
    public void Train_OnAnImportedOnnxBackbone_AndExportItBack()
    {
        // An ONNX CNN made here: a tiny backbone with the FC head, exported; its default cut is the feature map.
        var backboneFile = Path.Combine(output, "tiny.onnx");
        manual_seed(1);
        var features = nn.Sequential(("conv", nn.Conv2d(3, 16, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(16)), ("relu", nn.ReLU()));
        using (var tiny = ScouterModel.Create(features, FcClassifierHead.Create(16, 5)))
        {
            ScouterOnnxExporter.Export(tiny, backboneFile, new OnnxExportOptions { ImageHeight = 32, ImageWidth = 32 });
        }

        var (code, text) = CliRunner.Run(["train", "--model", "onnx:" + backboneFile, "--use_pre", "false", "--slots_per_class", "2", .. Small]);
        code.Should().Be(0, text);
        File.Exists(Path.Combine(output, "Synthetic_use_slot_checkpoint.pth")).Should().BeTrue();

        var (exportCode, exportText) = CliRunner.Run(["export-onnx", "--output", Path.Combine(output, "scouter.onnx"), .. Small]);
        exportCode.Should().Be(0, exportText);
        var (badCode, badText) = CliRunner.Run(["train", "--model", "onnx:" + Path.Combine(output, "missing.onnx"), "--use_pre", "false", "--overwrite", "true", .. Small]);
        badCode.Should().Be(1, badText);
        badText.Should().Contain("missing.onnx not found");
    }

    private static void Close(float[] actual, Tensor expected)
    {
        var reference = expected.flatten().data<float>().ToArray();
        actual.Should().HaveCount(reference.Length);
        var scale = Math.Max(reference.Max(Math.Abs), 1e-3f);
        actual.Zip(reference).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThanOrEqualTo(1e-4f * scale);
    }
}
