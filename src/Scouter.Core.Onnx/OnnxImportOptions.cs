namespace Scouter.Core.Onnx;

/// <summary>How <see cref="OnnxGraphModule"/> imports an ONNX graph.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>
    /// The value the module returns: where the graph is cut, typically the last feature map before global pooling.
    /// Null takes the input of the graph's last global or average pooling node.
    /// </summary>
    public string? OutputName { get; set; }

    /// <summary>Converts the pipeline's images into the graph's expected input first; null feeds them as they are.</summary>
    public OnnxInputConversion? InputConversion { get; set; }
}
