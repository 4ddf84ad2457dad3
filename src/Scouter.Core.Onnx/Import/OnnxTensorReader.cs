using System.Runtime.InteropServices;
using Scouter.Core.Onnx.Schema;
using static TorchSharp.torch;
using DataType = Scouter.Core.Onnx.Schema.TensorProto.Types.DataType;

namespace Scouter.Core.Onnx.Import;

/// <summary>Reads ONNX initializers (float32 and integer tensors, stored raw or in typed fields) into TorchSharp tensors.</summary>
internal static class OnnxTensorReader
{
    /// <summary>A float32 tensor with the initializer's shape.</summary>
    public static Tensor Float(TensorProto proto)
    {
        CheckInline(proto);
        float[] values = (DataType)proto.DataType switch
        {
            DataType.Float when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray(),
            DataType.Float => proto.FloatData.ToArray(),
            DataType.Double when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, double>(proto.RawData.Span).ToArray().Select(v => (float)v).ToArray(),
            DataType.Double => proto.DoubleData.Select(v => (float)v).ToArray(),
            _ => throw new NotSupportedException($"ONNX initializer '{proto.Name}' has element type {(DataType)proto.DataType}; the importer reads float32 and float64 weights."),
        };
        return FromArray(proto, values);
    }

    /// <summary>The initializer's values as integers (shapes, pads, axes).</summary>
    public static long[] Int64s(TensorProto proto)
    {
        CheckInline(proto);
        return (DataType)proto.DataType switch
        {
            DataType.Int64 when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, long>(proto.RawData.Span).ToArray(),
            DataType.Int64 => proto.Int64Data.ToArray(),
            DataType.Int32 when proto.RawData.Length > 0 => MemoryMarshal.Cast<byte, int>(proto.RawData.Span).ToArray().Select(v => (long)v).ToArray(),
            DataType.Int32 => proto.Int32Data.Select(v => (long)v).ToArray(),
            _ => throw new NotSupportedException($"ONNX initializer '{proto.Name}' has element type {(DataType)proto.DataType}; an integer tensor was expected."),
        };
    }

    private static Tensor FromArray(TensorProto proto, float[] values)
    {
        var shape = proto.Dims.ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
        {
            throw new InvalidDataException($"ONNX initializer '{proto.Name}' has shape [{string.Join(", ", shape)}] ({count} values) but holds {values.Length}.");
        }

        return tensor(values, shape);
    }

    private static void CheckInline(TensorProto proto)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
        {
            throw new NotSupportedException($"ONNX initializer '{proto.Name}' is stored in an external data file; the importer reads models whose weights are inside the .onnx file.");
        }
    }
}
