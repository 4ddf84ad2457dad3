using System.Text.Json.Serialization;

namespace Scouter.Core.Explanations.Bulk;

/// <summary>
/// One explained class of one image in a bulk explanation file: the class, its probability and area size, and its
/// 8-bit map as base64.
/// </summary>
/// <param name="Class">The class the map explains.</param>
/// <param name="ClassName">Its name, when class names are known.</param>
/// <param name="Probability">The model's probability of the class.</param>
/// <param name="AreaSize">The official area size of the map at the feature map's resolution (<see cref="ExplanationMaps.AreaSize"/>).</param>
/// <param name="Map">
/// The official 8-bit map (<see cref="ExplanationMaps.ToOfficialUInt8"/>: min–max normalised jointly over all classes of
/// the image, ×255, truncated), resized with Pillow's bilinear filter when a map size was asked for, as row-major
/// bytes (<c>map_size[0] × map_size[1]</c>) in base64. <see cref="Pixels"/> decodes it.
/// </param>
public sealed record ExplainedMap(
    [property: JsonPropertyName("class")] int Class,
    [property: JsonPropertyName("class_name")] string? ClassName,
    [property: JsonPropertyName("probability")] float Probability,
    [property: JsonPropertyName("area_size")] float AreaSize,
    [property: JsonPropertyName("map")] string Map)
{
    /// <summary>The map's bytes, row-major, one per pixel (0–255).</summary>
    public byte[] Pixels() => Convert.FromBase64String(Map);
}
