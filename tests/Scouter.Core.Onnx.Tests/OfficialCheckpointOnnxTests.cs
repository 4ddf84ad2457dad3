using Scouter.Core.Interop;
using Scouter.Core.Tests.Interop;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Tests;

/// <summary>
/// An official PyTorch checkpoint → Scouter.Core → ONNX → ONNX Runtime gives the log-probabilities PyTorch computed
/// with the official model structure (the fixture make_interop_fixtures.py wrote), and TorchSharp's class maps.
/// </summary>
public sealed class OfficialCheckpointOnnxTests
{
    [Fact]
    public void OfficialSlotCheckpoint_ExportedToOnnx_GivesPyTorchsLogProbabilities()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path("scouter_tiny_checkpoint.pth"));
        using var model = InteropFixtures.SlotModel(checkpoint.Args.ToHeadOptions());
        checkpoint.LoadInto(model);
        using var images = InteropFixtures.Expected("images");
        using var expected = InteropFixtures.Expected("slot_log_probs");

        var options = new OnnxExportOptions { ImageHeight = (int)images.shape[2], ImageWidth = (int)images.shape[3] };
        using var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(model, options));
        var outputs = onnx.Run(images);

        TensorCompare.ShouldMatch(outputs[OnnxNames.LogProbabilities], expected, "official SlotModel (negative SCOUTER) via ONNX");
        ScouterOnnxExporterTests.AssertSame(model, onnx, images, "official SlotModel checkpoint");
        onnx.Metadata[OnnxMetadataKeys.Polarity].Should().Be("negative");
    }

    [Fact]
    public void OfficialFcCheckpoint_ExportedToOnnx_GivesPyTorchsLogProbabilities()
    {
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path("scouter_tiny_no_slot_checkpoint.pth"));
        using var model = InteropFixtures.FcModel();
        checkpoint.LoadInto(model);
        using var images = InteropFixtures.Expected("images");
        using var expected = InteropFixtures.Expected("fc_log_probs");

        var options = new OnnxExportOptions { ImageHeight = (int)images.shape[2], ImageWidth = (int)images.shape[3] };
        using var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(model, options));

        TensorCompare.ShouldMatch(onnx.Run(images)[OnnxNames.LogProbabilities], expected, "official FC model via ONNX");
    }
}
