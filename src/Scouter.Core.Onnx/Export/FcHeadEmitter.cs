using Scouter.Core.Modules;
using TorchSharp.Modules;

namespace Scouter.Core.Onnx.Export;

/// <summary>The FC baseline head: global average pooling, flattening, then <c>fc</c> as a <c>Gemm</c>.</summary>
internal static class FcHeadEmitter
{
    public static HeadExport Emit(FcClassifierHead head, string features, ExportContext context)
    {
        var graph = context.Graph;
        var fc = (Linear)ModuleChildren.Of(head)["fc"];
        var pooled = graph.Node("GlobalAveragePool", "head.pool", [features]);
        var flat = graph.Node("Flatten", "head.flatten", [pooled], OnnxGraphBuilder.Int("axis", 1));
        var scores = graph.Node("Gemm", "fc", [flat, graph.Initializer("fc.weight", fc.weight!), graph.Initializer("fc.bias", fc.bias!)], OnnxGraphBuilder.Int("transB", 1));
        return new HeadExport(scores, null);
    }
}
