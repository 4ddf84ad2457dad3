using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scouter.Core.Explanations.Bulk;

/// <summary>
/// One line of a bulk explanation file (<see cref="BulkExplainer"/>): which image, what the model predicted with what
/// probabilities, and the maps of the explained classes. Serialised as one JSON object per line, property names in
/// snake case, absent optional values as <c>null</c>.
/// </summary>
/// <param name="Id">The image's stable identifier (<see cref="Data.Datasets.ImageDataset.ImageId"/>): <c>val/17</c>, or a path relative to the folder explained. Unique in a file.</param>
/// <param name="Index">The image's index in the data set (in the folder's sorted file list).</param>
/// <param name="Source">Where the image comes from (a file path, or a description of a generated image).</param>
/// <param name="Label">Ground-truth class, or null when the images have no labels.</param>
/// <param name="LabelName">Name of <paramref name="Label"/>, when known.</param>
/// <param name="Prediction">The most likely class, <c>argmax</c> of <paramref name="Probabilities"/>.</param>
/// <param name="PredictionName">Name of <paramref name="Prediction"/>, when class names are known.</param>
/// <param name="Probabilities">Softmax of the model's class scores, one per class; they sum to 1.</param>
/// <param name="Polarity"><c>positive</c> (maps say why a class) or <c>negative</c> (SCOUTER−: why not).</param>
/// <param name="MapSize">Height and width of every map of <paramref name="Maps"/>.</param>
/// <param name="Maps">The explained classes' maps, in order of choice (most likely first for SCOUTER+, least likely first for SCOUTER−).</param>
public sealed record ExplanationRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("label")] int? Label,
    [property: JsonPropertyName("label_name")] string? LabelName,
    [property: JsonPropertyName("prediction")] int Prediction,
    [property: JsonPropertyName("prediction_name")] string? PredictionName,
    [property: JsonPropertyName("probabilities")] IReadOnlyList<float> Probabilities,
    [property: JsonPropertyName("polarity")] string Polarity,
    [property: JsonPropertyName("map_size")] IReadOnlyList<int> MapSize,
    [property: JsonPropertyName("maps")] IReadOnlyList<ExplainedMap> Maps)
{
    /// <summary>The serializer settings of the file format (compact, one object per line).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = false };

    /// <summary>Reads one line of a bulk explanation file.</summary>
    /// <param name="line">The line's JSON text.</param>
    /// <exception cref="JsonException">The text is not a record.</exception>
    public static ExplanationRecord Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return JsonSerializer.Deserialize<ExplanationRecord>(line, JsonOptions)
            ?? throw new JsonException($"Expected an explanation record (a JSON object); got '{line}'.");
    }

    /// <summary>Reads every line of a bulk explanation file, lazily, skipping nothing (an incomplete last line throws).</summary>
    /// <param name="path">The JSON Lines file.</param>
    public static IEnumerable<ExplanationRecord> ReadAll(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(Parse);

    /// <summary>
    /// Whether a JSON object is shaped as a record of this type (the properties every record has, of the right kinds):
    /// null when it is, else what was expected. How <see cref="BulkExplainer"/> recognises a file it may continue.
    /// </summary>
    /// <param name="line">A parsed line.</param>
    internal static string? Problem(JsonElement line)
    {
        (string Name, JsonValueKind Kind)[] required =
        [
            ("id", JsonValueKind.String), ("index", JsonValueKind.Number), ("probabilities", JsonValueKind.Array),
            ("polarity", JsonValueKind.String), ("map_size", JsonValueKind.Array), ("maps", JsonValueKind.Array),
        ];
        return required.All(p => line.TryGetProperty(p.Name, out var value) && value.ValueKind == p.Kind)
            ? null
            : "an explanation record (a JSON object with string \"id\", number \"index\", arrays \"probabilities\", \"map_size\" and \"maps\", and string \"polarity\")";
    }

    /// <summary>The record as its JSON line, without the line break.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
