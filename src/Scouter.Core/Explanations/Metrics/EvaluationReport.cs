using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scouter.Core.Internal;
using Scouter.Core.IO;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>The metric table of an evaluation: one row per explanation method, plus the settings that produced it.</summary>
public sealed class EvaluationReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Creates a report.</summary>
    /// <param name="rows">One row per method.</param>
    /// <param name="settings">The evaluation settings, as text.</param>
    [JsonConstructor]
    public EvaluationReport(IReadOnlyList<MethodMetrics> rows, IReadOnlyDictionary<string, string> settings)
    {
        Rows = rows ?? throw new ArgumentNullException(nameof(rows));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    /// <summary>The rows, in the order the methods were given (SCOUTER first).</summary>
    public IReadOnlyList<MethodMetrics> Rows { get; }

    /// <summary>Settings of the evaluation (explained classes, steps, samples, seed).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The table in Markdown, four decimals, arrows giving the better direction; "—" marks a missing value.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Method | Explains | Images | Accuracy | Area size ↓ | Precision ↑ | Pointing game ↑ | IAUC ↑ | DAUC ↓ | Infidelity ↓ | Max-sensitivity ↓ | Class precision ↑ | Class pointing game ↑ |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in Rows)
        {
            text.Append("| ").Append(row.Method).Append(" | ").Append(row.Question).Append(" | ")
                .Append(row.Images.ToString(CultureInfo.InvariantCulture)).Append(" | ")
                .AppendJoin(" | ", new double?[] { row.Accuracy, row.AreaSize, row.Precision, row.PointingGame, row.InsertionAuc, row.DeletionAuc, row.Infidelity, row.MaxSensitivity, row.ClassPrecision, row.ClassPointingGame }.Select(Format))
                .AppendLine(" |");
        }

        return text.ToString();
    }

    /// <summary>The report as indented JSON (camelCase; NaN written as <c>"NaN"</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    public static EvaluationReport FromJson(string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        return JsonSerializer.Deserialize<EvaluationReport>(json, Json) ?? throw new JsonException("The JSON text holds no evaluation report.");
    }

    /// <summary>Writes the report as JSON, atomically.</summary>
    /// <param name="path">Target file.</param>
    public void Save(string path) => AtomicFile.Write(path, ToJson());

    private static string Format(double? value) => value is double v && !double.IsNaN(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "—";
}
