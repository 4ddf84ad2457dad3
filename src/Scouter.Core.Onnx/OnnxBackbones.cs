using Scouter.Core.Backbones;

namespace Scouter.Core.Onnx;

/// <summary>
/// ONNX image CNNs as SCOUTER backbones: <see cref="OnnxGraphModule"/> cut at the feature map, wrapped as a
/// <see cref="Backbone"/> (its channel count found by one probe pass), or registered by name in a <see cref="BackboneRegistry"/>.
/// </summary>
/// <example>
/// <code>
/// // The ImageNet ResNet-18 in Microsoft.ML.DnnImageFeaturizer.ResNet18, fed ImageNet-normalised RGB images:
/// using var backbone = OnnxBackbones.Create("ResNet18.onnx", new OnnxImportOptions
/// {
///     OutputName = OnnxBackbones.MlNetResNet18FeatureMap, InputConversion = OnnxInputConversion.MlNetResNet,
/// });
/// var model = ScouterModel.Create(backbone, new ClassifierHeadOptions { NumClasses = 10 });
/// </code>
/// </example>
public static class OnnxBackbones
{
    /// <summary>The prefix of a backbone name that is an ONNX file: <c>onnx:PATH</c>.</summary>
    public const string NamePrefix = "onnx:";

    /// <summary>
    /// The last feature map <c>[B, 512, h, w]</c> (the ReLU after the last residual addition, before the 7×7 average
    /// pooling) of the ResNet-18 in <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0.
    /// </summary>
    public const string MlNetResNet18FeatureMap = "ReLU393_Output_0";

    /// <summary>Imports an ONNX file as a backbone.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">Where to cut and the input conversion; null cuts before the last global pooling.</param>
    /// <param name="name">The backbone's name; <c>onnx:PATH</c> when null.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not an ONNX model, or the cut names no value of the graph.</exception>
    /// <exception cref="NotSupportedException">A node the cut needs is not supported; the message names it.</exception>
    /// <exception cref="ArgumentException">The cut does not give a feature map <c>[B, C, h, w]</c>.</exception>
    public static Backbone Create(string path, OnnxImportOptions? options = null, string? name = null)
    {
        var module = OnnxGraphModule.Load(path, options);
        try
        {
            var shape = module.InputShape;
            var inputChannels = options?.InputConversion?.Source.Mean.Count ?? (shape.Count == 4 && shape[1] is { } c ? (int)c : 3);
            var probe = shape.Count == 4 && shape[2] is { } h && shape[3] == h ? (int)h : Backbone.DefaultProbeSize;
            return Backbone.FromModule(name ?? NamePrefix + path, module, inputChannels: inputChannels, probeSize: probe);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Registers an ONNX file under <paramref name="name"/>: each <c>Create(name)</c> imports it afresh.</summary>
    /// <param name="registry">The registry (e.g. <see cref="BackboneRegistry.Default"/>).</param>
    /// <param name="name">The name to register.</param>
    /// <param name="path">The <c>.onnx</c> file (read when the backbone is created).</param>
    /// <param name="options">Where to cut and the input conversion.</param>
    /// <param name="replace">Replace an existing registration.</param>
    public static void Register(BackboneRegistry registry, string name, string path, OnnxImportOptions? options = null, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrEmpty(path);
        registry.Register(name, _ => Create(path, options, name), replace);
    }
}
