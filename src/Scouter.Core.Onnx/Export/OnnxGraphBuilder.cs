using System.Runtime.InteropServices;
using Google.Protobuf;
using Scouter.Core.Onnx.Schema;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// Collects the nodes, initializers, inputs and outputs of one ONNX graph, giving every value a unique name. Node
/// helpers return the name of the value they produce, so emitters read like the forward pass they translate.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto graph = new();
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> int64Constants = new(StringComparer.Ordinal);
    private readonly Dictionary<float, string> floatConstants = new();

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph => graph;

    /// <summary>Declares a float32 graph input; a null dimension is the dynamic batch size.</summary>
    public string Input(string name, IReadOnlyList<long?> dims)
    {
        Claim(name);
        graph.Input.Add(ValueInfo(name, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output under <paramref name="name"/> (an Identity node renames it).</summary>
    public void Output(string value, string name, IReadOnlyList<long?> dims)
    {
        if (value != name)
        {
            Claim(name);
            graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
        }

        graph.Output.Add(ValueInfo(name, dims));
    }

    /// <summary>Adds a float32 initializer holding a copy of <paramref name="tensor"/>.</summary>
    public string Initializer(string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        return Initializer(name, cpu.shape, ByteString.CopyFrom(cpu.bytes));
    }

    /// <summary>Adds a float32 initializer.</summary>
    public string Initializer(string name, long[] dims, float[] values)
    {
        return Initializer(name, dims, ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
    }

    // Float32 values in the wire format's raw_data: little-endian bytes, copied once from wherever they live.
    private string Initializer(string name, long[] dims, ByteString rawData)
    {
        var unique = Unique(name);
        var proto = new TensorProto { Name = unique, DataType = (int)TensorProto.Types.DataType.Float, RawData = rawData };
        proto.Dims.AddRange(dims);
        graph.Initializer.Add(proto);
        return unique;
    }

    /// <summary>A shared int64 vector constant (shapes, axes, split sizes).</summary>
    public string Int64s(params long[] values)
    {
        var key = string.Join(",", values);
        if (!int64Constants.TryGetValue(key, out var name))
        {
            name = Unique("const_i64_" + key.Replace(",", "_", StringComparison.Ordinal).Replace("-", "m", StringComparison.Ordinal));
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { values.Length } };
            proto.Int64Data.AddRange(values);
            graph.Initializer.Add(proto);
            int64Constants[key] = name;
        }

        return name;
    }

    /// <summary>A shared float32 scalar constant.</summary>
    public string Scalar(float value)
    {
        if (!floatConstants.TryGetValue(value, out var name))
        {
            var proto = new TensorProto { Name = Unique("const_f32"), DataType = (int)TensorProto.Types.DataType.Float };
            proto.FloatData.Add(value);
            graph.Initializer.Add(proto);
            name = proto.Name;
            floatConstants[value] = name;
        }

        return name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string opType, string nameHint, string[] inputs, params AttributeProto[] attributes) =>
        Nodes(opType, nameHint, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Nodes(string opType, string nameHint, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var nodeName = Unique(nameHint);
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        var results = new string[outputs];
        for (var i = 0; i < outputs; i++)
        {
            results[i] = outputs == 1 ? nodeName : Unique($"{nodeName}_{i}");
        }

        node.Output.AddRange(results);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return results;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<long?> dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is { } value ? new TensorShapeProto.Types.Dimension { DimValue = value } : new TensorShapeProto.Types.Dimension { DimParam = OnnxNames.BatchDimension });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private void Claim(string name)
    {
        if (!names.Add(name))
        {
            throw new InvalidOperationException($"The ONNX graph already has a value named '{name}'.");
        }
    }

    private string Unique(string hint)
    {
        var candidate = hint;
        for (var i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{hint}_{i}";
        }

        return candidate;
    }
}
