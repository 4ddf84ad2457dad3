namespace Scouter.Core.Onnx.Export;

/// <summary>
/// The drawing-ready maps: each image's class maps min–max normalised jointly over all classes (a constant map gives
/// zeros, as <c>ExplanationMaps.NormalizeJointly</c> does) and bilinearly upsampled to the input size with PyTorch's
/// <c>align_corners = false</c> sampling (<c>ExplanationMaps.Upsample</c>).
/// </summary>
internal static class MapsEmitter
{
    public static string NormalisedUpsampled(OnnxGraphBuilder graph, string classMaps, long classes, long height, long width, long imageHeight, long imageWidth)
    {
        var flat = graph.Node("Reshape", "maps.flat", [classMaps, graph.Int64s(0, -1)]); // [B, n·h·w]
        var min = graph.Node("ReduceMin", "maps.min", [flat], OnnxGraphBuilder.Ints("axes", [1]), OnnxGraphBuilder.Int("keepdims", 1));
        var max = graph.Node("ReduceMax", "maps.max", [flat], OnnxGraphBuilder.Ints("axes", [1]), OnnxGraphBuilder.Int("keepdims", 1));
        var range = graph.Node("Sub", "maps.range", [max, min]);
        var safeRange = graph.Node("Where", "maps.safe_range", [graph.Node("Greater", "maps.has_range", [range, graph.Scalar(0f)]), range, graph.Scalar(1f)]);
        var normalised = graph.Node("Div", "maps.normalised_flat", [graph.Node("Sub", "maps.shifted", [flat, min]), safeRange]);
        var maps = graph.Node("Reshape", "maps.normalised", [normalised, graph.Int64s(0, classes, height, width)]);

        var batchAndClasses = graph.Node("Shape", "maps.leading_shape", [maps], OnnxGraphBuilder.Int("start", 0), OnnxGraphBuilder.Int("end", 2));
        var sizes = graph.Node("Concat", "maps.sizes", [batchAndClasses, graph.Int64s(imageHeight, imageWidth)], OnnxGraphBuilder.Int("axis", 0));
        return graph.Node("Resize", "maps.upsampled", [maps, string.Empty, string.Empty, sizes],
            OnnxGraphBuilder.Text("mode", "linear"),
            OnnxGraphBuilder.Text("coordinate_transformation_mode", "pytorch_half_pixel"));
    }
}
