using System.Reflection;
using Google.Protobuf;
using Scouter.Core.Onnx.Export;
using Scouter.Core.Onnx.Schema;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Tests;

/// <summary>ONNX models for the import tests: the ML.NET ResNet-18 file, and small graphs written node by node.</summary>
internal static class OnnxTestGraphs
{
    /// <summary>The ResNet-18 ONNX file in the package folder (see the test project's PackageDownload).</summary>
    public static string MlNetResNet18Path
    {
        get
        {
            var path = typeof(OnnxTestGraphs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MlNetResNet18").Value!;
            File.Exists(path).Should().BeTrue($"restore downloads Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 to {path}");
            return path;
        }
    }

    /// <summary>
    /// The model with extra graph outputs and a symbolic batch dimension, so ONNX Runtime returns inner values (such as
    /// the cut feature map) and takes batches of any size.
    /// </summary>
    public static byte[] WithOutputs(byte[] model, params string[] outputs)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        foreach (var value in proto.Graph.Input.Concat(proto.Graph.Output))
        {
            if (value.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
            {
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
            }
        }

        foreach (var output in outputs)
        {
            proto.Graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        }

        return proto.ToByteArray();
    }

    /// <summary>A model around a graph the test wrote, at the given opset.</summary>
    public static byte[] Model(OnnxGraphBuilder graph, long opset = 13)
    {
        var proto = new ModelProto { IrVersion = 7, Graph = graph.Graph, OpsetImport = { new OperatorSetIdProto { Version = opset } } };
        return proto.ToByteArray();
    }

    public static string Weight(OnnxGraphBuilder graph, string name, params long[] shape)
    {
        using var values = randn(shape) * 0.3;
        return graph.Initializer(name, values);
    }
}
