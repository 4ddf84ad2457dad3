using Microsoft.Extensions.Logging.Abstractions;
using Scouter.Cli.Arguments;
using Scouter.Cli.Commands;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Cli.Tests;

/// <summary>
/// <c>scouter explain --jsonl --engine onnxruntime</c>: the checkpoint's model exported in memory and run by ONNX
/// Runtime writes the TorchSharp engine's records, within float rounding.
/// </summary>
public sealed class OnnxRuntimeEngineTests(SyntheticCheckpoint checkpoint) : IClassFixture<SyntheticCheckpoint>, IDisposable
{
    /// <summary>Largest difference of a probability between the engines (they sum the same products in other orders).</summary>
    private const float ProbabilityTolerance = 1e-4f;

    private readonly string output = Directory.CreateTempSubdirectory("scouter-ort-engine-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private string[] Explain(int valCount, string jsonl, params string[] more) =>
        ["explain", "--output_dir", checkpoint.Directory, .. SyntheticCheckpoint.Flags, "--synthetic_val", valCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--jsonl", jsonl, "--num_workers", "0", .. more];

    [Fact]
    public void OnnxRuntimeEngine_WritesTheTorchSharpEnginesRecords_InTheSameOrder_WithinFloatRounding()
    {
        var torchSharp = Path.Combine(output, "torchsharp.jsonl");
        var onnxRuntime = Path.Combine(output, "onnxruntime.jsonl");
        // 20 images in batches of 8: the last batch is smaller, so the exported graph's dynamic batch is exercised.
        var (code, text) = CliRunner.Run(Explain(20, torchSharp, "--top_k", "3", "--batch_size", "8"));
        code.Should().Be(0, text);

        // A real process, so --threads reaches ONNX Runtime without changing this test host's LibTorch threads.
        var (ortCode, ortText) = CliProcess.Run([.. Explain(20, onnxRuntime, "--top_k", "3", "--batch_size", "8", "--engine", "onnxruntime"), "--threads", "1"]);

        ortCode.Should().Be(0, ortText);
        // The child's console is 80 columns wide and wraps between words: only short phrases are looked for.
        ortText.Should().Contain("ONNX Runtime engine (CPU, 1 intra-op thread(s))").And.Contain("20 of 20 images in").And.NotContain("folded");
        text.Should().Contain("20 of 20 images in").And.Contain("batch norms folded", "the TorchSharp engine folds them, ONNX Runtime fuses them itself");
        var expected = ExplanationRecord.ReadAll(torchSharp).ToList();
        var actual = ExplanationRecord.ReadAll(onnxRuntime).ToList();
        actual.Select(r => r.Id).Should().Equal(expected.Select(r => r.Id)).And.HaveCount(20);
        foreach (var (a, e) in actual.Zip(expected))
        {
            (a.Index, a.Source, a.Label, a.LabelName, a.Polarity).Should().Be((e.Index, e.Source, e.Label, e.LabelName, e.Polarity));
            a.MapSize.Should().Equal(e.MapSize);
            a.Probabilities.Should().Equal(e.Probabilities, (x, y) => Math.Abs(x - y) <= ProbabilityTolerance, $"{a.Id}: probabilities within {ProbabilityTolerance}");
            (a.Prediction, a.PredictionName).Should().Be((e.Prediction, e.PredictionName), a.Id);
            a.Maps.Select(m => (m.Class, m.ClassName)).Should().Equal(e.Maps.Select(m => (m.Class, m.ClassName)), $"{a.Id}: the same classes explained, in the same order");
            foreach (var (am, em) in a.Maps.Zip(e.Maps))
            {
                am.Probability.Should().BeApproximately(em.Probability, ProbabilityTolerance);
                var steps = am.Pixels().Zip(em.Pixels(), (x, y) => Math.Abs(x - y)).ToList();
                steps.Should().HaveCount(e.MapSize[0] * e.MapSize[1]).And.OnlyContain(d => d <= 1, $"{a.Id} class {am.Class}: 8-bit maps within one step");
                am.AreaSize.Should().BeApproximately(em.AreaSize, 1 / 255f + 1e-6f, "the area is the map's mean over 255");
            }
        }
    }

    [Fact]
    public void AModelTheExporterDoesNotKnow_IsAClearError_NamingTheModule()
    {
        manual_seed(3);
        using var model = ScouterModel.Create(
            nn.Sequential(("conv", nn.Conv2d(3, 8, 3, stride: 2, padding: 1)), ("mine", new Doubling())),
            XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 1 }));

        var act = () => OnnxRuntimeForward.Create(model, ImageTransform.Create(16, Normalization.ImageNet), "mine.pth", 1, NullLogger.Instance);

        act.Should().Throw<CliException>().WithMessage("--engine onnxruntime: the model of mine.pth cannot be exported to ONNX:*backbone.mine*Doubling*The default engine (torchsharp) explains it.");
    }

    [Fact]
    public void AModelThatDoesNotTakeTheTransformsImages_IsAClearError()
    {
        manual_seed(3);
        using var model = ScouterModel.Create(
            nn.Sequential(("conv", nn.Conv2d(1, 8, 3, stride: 2, padding: 1))),
            XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 8, HiddenDim = 8, NumClasses = 3, SlotsPerClass = 1 }));

        var act = () => OnnxRuntimeForward.Create(model, ImageTransform.Create(16, Normalization.ImageNet), "gray.pth", 1, NullLogger.Instance);

        act.Should().Throw<CliException>().WithMessage("*gray.pth cannot be exported to ONNX: The backbone cannot take a [1, 3, 16, 16] input*");
    }

    [Theory]
    [InlineData("--engine onnx", "--engine must be torchsharp or onnxruntime; got 'onnx'.")]
    [InlineData("--engine onnxruntime --device cuda:1", "--engine onnxruntime runs the forward pass on the CPU only; --device cuda:1 asks for another device. Keep the default engine (torchsharp) for CUDA, or pass --device cpu.")]
    public void BadEngineFlags_AreUsageErrors(string flags, string message)
    {
        var (code, text) = CliRunner.Run(Explain(4, Path.Combine(output, "x.jsonl"), flags.Split(' ')));

        code.Should().Be(2, text);
        text.Should().Contain(message);
        File.Exists(Path.Combine(output, "x.jsonl")).Should().BeFalse();
    }

    [Fact]
    public void OnnxRuntimeEngine_WithoutJsonl_IsAUsageError()
    {
        var (code, text) = CliRunner.Run("explain", "--output_dir", checkpoint.Directory, "--engine", "onnxruntime");

        code.Should().Be(2, text);
        text.Should().Contain("--engine onnxruntime applies to explain --jsonl");
    }

    [Fact]
    public void EngineFlag_DefaultsToTorchSharp_AndResolvingOnnxRuntimePutsTheModelOnTheCpu()
    {
        ArgumentParser.Parse(["explain"]).Text("engine").Should().Be("torchsharp");
        ExplainEngine.Resolve(ArgumentParser.Parse(["explain", "--jsonl", "a.jsonl"]), out var onnx).Text("device").Should().Be("auto");
        onnx.Should().BeFalse();

        var resolved = ExplainEngine.Resolve(ArgumentParser.Parse(["explain", "--jsonl", "a.jsonl", "--engine", "OnnxRuntime"]), out onnx);

        onnx.Should().BeTrue("engine names are case-insensitive");
        resolved.Text("device").Should().Be("cpu", "ONNX Runtime runs on the CPU, so the model only needs to be there for the export");
        ExplainEngine.Resolve(ArgumentParser.Parse(["explain", "--jsonl", "a.jsonl", "--engine", "onnxruntime", "--device", "CPU"]), out _).Text("device").Should().Be("CPU");
    }

    /// <summary>A layer no exporter knows.</summary>
    private sealed class Doubling() : nn.Module<Tensor, Tensor>("Doubling")
    {
        public override Tensor forward(Tensor input) => input.add(input);
    }
}
