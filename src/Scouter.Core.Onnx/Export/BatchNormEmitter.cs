using Scouter.Core.Compat;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// A batch norm (<c>BatchNorm2d</c>, <c>ScalarSafeBatchNorm2d</c>) in evaluation mode: ONNX <c>BatchNormalization</c>
/// with the running statistics. ONNX Runtime folds it into the preceding convolution when it optimises the graph.
/// </summary>
internal sealed class BatchNormEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is BatchNorm;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var norm = (BatchNorm)module;
        if (norm.running_mean is null || norm.running_var is null)
        {
            throw new NotSupportedException($"Cannot export '{path}' to ONNX: a batch norm without running statistics (track_running_stats false) normalises with batch statistics even in evaluation mode.");
        }

        var graph = context.Graph;
        var channels = norm.num_features;
        string Parameter(string name, Tensor? tensor, float fill) => tensor is not null
            ? graph.Initializer(ExportContext.Child(path, name), tensor)
            : graph.Initializer(ExportContext.Child(path, name), [channels], Enumerable.Repeat(fill, (int)channels).ToArray());

        return graph.Node("BatchNormalization", path,
            [input, Parameter("weight", norm.weight, 1f), Parameter("bias", norm.bias, 0f),
             graph.Initializer(ExportContext.Child(path, "running_mean"), norm.running_mean),
             graph.Initializer(ExportContext.Child(path, "running_var"), norm.running_var)],
            OnnxGraphBuilder.Float("epsilon", (float)norm.eps));
    }
}
