using Scouter.Core.Onnx.Schema;

namespace Scouter.Core.Onnx.Import;

/// <summary>A node's attributes by name, with the ONNX defaults supplied by the caller.</summary>
internal sealed class NodeAttributes
{
    private readonly Dictionary<string, AttributeProto> attributes;

    public NodeAttributes(NodeProto node)
    {
        Node = node;
        attributes = node.Attribute.ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public NodeProto Node { get; }

    public long Int(string name, long fallback) => attributes.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public string Text(string name, string fallback) => attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    public bool Has(string name) => attributes.ContainsKey(name);

    /// <summary>A description of the node for error messages.</summary>
    public string Describe() => $"ONNX node '{Node.Name}' ({Node.OpType})";
}
