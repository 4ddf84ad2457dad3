using Scouter.Core.Onnx.Schema;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Import;

/// <summary>
/// One imported ONNX node: the node as read, the module holding its parameters (null when it has none), its data
/// inputs, how it runs and, for <c>Pad</c>, the pads and constant it read (from attributes or initializers).
/// </summary>
internal sealed record ImportedStep(NodeProto Node, nn.Module? Module, string[] Inputs, string Output, Func<Tensor[], Tensor> Run)
{
    public long[]? Pads { get; init; }

    public float PadValue { get; init; }
}
