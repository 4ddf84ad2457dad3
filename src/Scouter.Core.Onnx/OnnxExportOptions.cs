using Scouter.Core.Data.Transforms;

namespace Scouter.Core.Onnx;

/// <summary>What <see cref="ScouterOnnxExporter"/> exports: the input size, the preprocessing it records and the optional outputs.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Input height <c>H</c> (the model's <c>img_size</c>). The graph's spatial size is fixed; its batch size is not.</summary>
    public int ImageHeight { get; set; } = 260;

    /// <summary>Input width <c>W</c>.</summary>
    public int ImageWidth { get; set; } = 260;

    /// <summary>Input channels (3, or 1 for MNIST-style models).</summary>
    public int InputChannels { get; set; } = 3;

    /// <summary>
    /// The normalisation the model was trained with, recorded in the metadata (<see cref="OnnxMetadataKeys.Mean"/>,
    /// <see cref="OnnxMetadataKeys.Std"/>); null records ImageNet's for 3 channels and MNIST's for 1.
    /// </summary>
    public Normalization? Normalization { get; set; }

    /// <summary>Class names recorded in the metadata; null when unknown. When given there must be one per class.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>The backbone's name, recorded in the metadata when given.</summary>
    public string? BackboneName { get; set; }

    /// <summary>
    /// Also output <see cref="OnnxNames.UpsampledMaps"/>: the class maps jointly min–max normalised and bilinearly
    /// upsampled to the input size, ready to draw (xSlot heads only; ignored for the FC head).
    /// </summary>
    public bool IncludeUpsampledMaps { get; set; } = true;

    /// <summary>A description stored as the model's <c>doc_string</c>.</summary>
    public string? Description { get; set; }
}
