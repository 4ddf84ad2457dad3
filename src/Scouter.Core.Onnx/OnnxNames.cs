namespace Scouter.Core.Onnx;

/// <summary>The names and the operator set of the ONNX graphs <see cref="ScouterOnnxExporter"/> writes.</summary>
public static class OnnxNames
{
    /// <summary>The ONNX operator set (default domain) the exported graphs use. ONNX Runtime 1.13 and later run it.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version written (the one that goes with opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>Input: normalised float32 images <c>[batch, C, H, W]</c>, preprocessed as the metadata says.</summary>
    public const string Images = "images";

    /// <summary>Output: <c>log_softmax</c> of the class scores <c>[batch, n]</c>, the official model's output.</summary>
    public const string LogProbabilities = "log_probabilities";

    /// <summary>Output: the raw class scores <c>[batch, n]</c> (<see cref="Modules.HeadOutput.Scores"/>).</summary>
    public const string Scores = "scores";

    /// <summary>Output of an xSlot model: per-class attention maps <c>[batch, n, h, w]</c> at the feature map's resolution.</summary>
    public const string ClassMaps = "class_maps";

    /// <summary>
    /// Optional output of an xSlot model: the class maps min–max normalised jointly over all classes of each image
    /// (a constant map gives zeros) and bilinearly upsampled to the input size, <c>[batch, n, H, W]</c> in <c>[0, 1]</c>.
    /// </summary>
    public const string UpsampledMaps = "class_maps_upsampled";

    /// <summary>The symbolic name of the dynamic batch dimension.</summary>
    public const string BatchDimension = "batch";
}
