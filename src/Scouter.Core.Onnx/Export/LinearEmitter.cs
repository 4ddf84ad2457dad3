using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary><see cref="Linear"/> on inputs of any rank: <c>MatMul</c> with the transposed weight, then the bias.</summary>
internal sealed class LinearEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Linear;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var linear = (Linear)module;
        var graph = context.Graph;
        using var transposed = linear.weight!.detach().t();
        var product = graph.Node("MatMul", ExportContext.Child(path, "matmul"), [input, graph.Initializer(ExportContext.Child(path, "weight_t"), transposed)]);
        return linear.bias is { } bias
            ? graph.Node("Add", path, [product, graph.Initializer(ExportContext.Child(path, "bias"), bias)])
            : product;
    }
}
