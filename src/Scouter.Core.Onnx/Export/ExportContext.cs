using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// Walks a module tree, handing each module to the first emitter that knows it. A module no emitter knows stops the
/// export with the module's type and path, so a user's own layer is reported rather than silently mistranslated.
/// </summary>
internal sealed class ExportContext
{
    private readonly IReadOnlyList<IModuleEmitter> emitters;

    public ExportContext(OnnxGraphBuilder graph, IReadOnlyList<IModuleEmitter> emitters)
    {
        Graph = graph;
        this.emitters = emitters;
    }

    public OnnxGraphBuilder Graph { get; }

    /// <summary>The modules the exporter translates, most specific first.</summary>
    public static IReadOnlyList<IModuleEmitter> DefaultEmitters { get; } =
    [
        new SequentialEmitter(),
        new ConvolutionEmitter(),
        new BatchNormEmitter(),
        new ActivationEmitter(),
        new PoolingEmitter(),
        new PaddingEmitter(),
        new LinearEmitter(),
        new ResidualBlockEmitter(),
        new ResNeStBottleneckEmitter(),
        new SplitAttentionEmitter(),
        new OnnxGraphModuleEmitter(),
    ];

    /// <summary>Emits <paramref name="module"/> applied to <paramref name="input"/>; returns its output's name.</summary>
    public string Emit(nn.Module module, string input, string path)
    {
        foreach (var emitter in emitters)
        {
            if (emitter.CanEmit(module))
            {
                return emitter.Emit(module, input, path, this);
            }
        }

        throw new NotSupportedException(
            $"Cannot export '{path}' to ONNX: its module type {module.GetType().FullName} is not supported. " +
            "The exporter translates Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d(1), ZeroPad2d, ConstantPad2d, Identity, Linear, " +
            "the residual blocks of Scouter.Core's and TorchVision's ResNets and of ResNeSt, and imported ONNX graphs (docs/onnx.md).");
    }

    /// <summary>Joins a child's name to its parent's path.</summary>
    public static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
