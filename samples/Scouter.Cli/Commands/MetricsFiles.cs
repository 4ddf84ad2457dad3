using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Scouter.Core.IO;
using Scouter.Core.Training;
using SkiaSharp;

namespace Scouter.Cli.Commands;

/// <summary>
/// Writes a run's per-epoch metrics as CSV and JSON, and a loss/accuracy plot as PNG: after every epoch, atomically, so
/// a run that fails or is stopped keeps the metrics of every finished epoch, and a resumed run continues the files.
/// </summary>
internal static class MetricsFiles
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The paths <see cref="Write"/> writes.</summary>
    public static IReadOnlyList<string> Paths(string directory, string stem) =>
        [Path.Combine(directory, stem + "metrics.csv"), Path.Combine(directory, stem + "metrics.json"), Path.Combine(directory, stem + "metrics.png")];

    /// <summary>
    /// The epochs before <paramref name="firstEpoch"/> (zero-based) of the metrics file a run being resumed wrote; empty
    /// when there is none or it cannot be read (then the file is rewritten from this run's epochs, with a warning).
    /// </summary>
    public static IReadOnlyList<EpochMetrics> ReadEarlier(string directory, string stem, int firstEpoch, ILogger logger)
    {
        var path = Paths(directory, stem)[1];
        if (firstEpoch == 0 || !File.Exists(path))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.EnumerateArray()
                .Select(e => new EpochMetrics(
                    e.GetProperty("epoch").GetInt32() - 1,
                    e.GetProperty("lr").GetDouble(),
                    e.GetProperty("train").Deserialize<PhaseMetrics>(Json)!,
                    e.GetProperty("val").Deserialize<PhaseMetrics>(Json)!,
                    TimeSpan.FromSeconds(e.GetProperty("seconds").GetDouble())))
                .Where(m => m.Epoch < firstEpoch)
                .ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            logger.LogWarning("{Path} could not be read ({Message}); it will hold this run's epochs only", path, e.Message);
            return [];
        }
    }

    public static IReadOnlyList<string> Write(string directory, string stem, IReadOnlyList<EpochMetrics> history)
    {
        var csv = new StringBuilder("epoch,lr,train_loss,train_acc,train_nll,train_area,val_loss,val_acc,val_nll,val_area,seconds\n");
        foreach (var m in history)
        {
            csv.AppendLine(string.Join(',', new object[]
            {
                m.Epoch + 1, m.LearningRate, m.Train.Loss, m.Train.Accuracy, m.Train.Nll, m.Train.Area,
                m.Validation.Loss, m.Validation.Accuracy, m.Validation.Nll, m.Validation.Area, m.Duration.TotalSeconds,
            }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }

        var paths = Paths(directory, stem);
        AtomicFile.Write(paths[0], csv.ToString());
        AtomicFile.Write(paths[1], JsonSerializer.Serialize(history.Select(m => new
        {
            epoch = m.Epoch + 1,
            lr = m.LearningRate,
            train = m.Train,
            val = m.Validation,
            seconds = m.Duration.TotalSeconds,
        }), Json));
        AtomicFile.Write(paths[2], Plot(history));
        return paths;
    }

    /// <summary>Two panels, loss and accuracy per epoch, train and validation.</summary>
    private static byte[] Plot(IReadOnlyList<EpochMetrics> history)
    {
        const int width = 900, height = 380, margin = 50, gap = 60;
        var panelWidth = (width - 2 * margin - gap) / 2;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 14 };
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true };
        using var train = new SKPaint { Color = new SKColor(0x1f, 0x77, 0xb4), StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var val = new SKPaint { Color = new SKColor(0xff, 0x7f, 0x0e), StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };

        void Panel(int left, string title, Func<EpochMetrics, double> trainValue, Func<EpochMetrics, double> valValue, bool unitRange)
        {
            var top = margin;
            var bottom = height - margin;
            var values = history.SelectMany(m => new[] { trainValue(m), valValue(m) }).ToList();
            var (low, high) = unitRange ? (0.0, 1.0) : (Math.Min(0, values.Min()), values.Max() * 1.05 + 1e-9);
            canvas.DrawText(title, left, top - 15, text);
            canvas.DrawLine(left, bottom, left + panelWidth, bottom, axis);
            canvas.DrawLine(left, top, left, bottom, axis);
            canvas.DrawText(high.ToString("0.###", CultureInfo.InvariantCulture), left - 45, top + 5, text);
            canvas.DrawText(low.ToString("0.###", CultureInfo.InvariantCulture), left - 45, bottom, text);
            canvas.DrawText($"epoch 1…{history.Count}", left + panelWidth / 2 - 30, bottom + 25, text);

            SKPoint Point(int i, double v) => new(
                left + (history.Count == 1 ? panelWidth / 2f : i * panelWidth / (float)(history.Count - 1)),
                (float)(bottom - (v - low) / (high - low) * (bottom - top)));

            foreach (var (select, paint) in new[] { (trainValue, train), (valValue, val) })
            {
                using var path = new SKPath();
                for (var i = 0; i < history.Count; i++)
                {
                    var p = Point(i, select(history[i]));
                    if (i == 0)
                    {
                        path.MoveTo(p);
                    }
                    else
                    {
                        path.LineTo(p);
                    }

                    canvas.DrawCircle(p, 3, paint);
                }

                canvas.DrawPath(path, paint);
            }
        }

        Panel(margin, "loss", m => m.Train.Loss, m => m.Validation.Loss, unitRange: false);
        Panel(margin + panelWidth + gap, "accuracy", m => m.Train.Accuracy, m => m.Validation.Accuracy, unitRange: true);
        canvas.DrawText("— train", width - 200, 25, train);
        canvas.DrawText("— validation", width - 120, 25, val);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
