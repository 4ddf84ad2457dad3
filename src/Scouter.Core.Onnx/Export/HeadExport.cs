namespace Scouter.Core.Onnx.Export;

/// <summary>The values a head adds to the graph: scores <c>[B, n]</c> and, for the xSlot head, class maps <c>[B, n, h, w]</c>.</summary>
internal sealed record HeadExport(string Scores, string? ClassMaps);
