namespace Scouter.Core.Data.Datasets;

/// <summary>One image file of a file-backed data set: where it is, its label and its boxes (original pixels).</summary>
/// <param name="Path">Absolute path of the JPEG or PNG file.</param>
/// <param name="Label">Class index.</param>
/// <param name="Boxes">Ground-truth boxes; empty when the data set has none.</param>
public sealed record ImageRecord(string Path, int Label, IReadOnlyList<BoundingBox> Boxes);
