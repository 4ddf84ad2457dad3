using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Scouter.Core.IO;
using Scouter.Core.Training;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot.SkiaSharp;
using SkiaSharp;

namespace Scouter.Cli.Commands;

/// <summary>
/// Writes a run's per-epoch metrics as CSV and JSON, and a loss/accuracy plot as PNG (drawn with OxyPlot): after every epoch, atomically, so
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

    /// <summary>Two panels, loss and accuracy per epoch, each with its train and validation curve, axes, grid and legend.</summary>
    internal static byte[] Plot(IReadOnlyList<EpochMetrics> history)
    {
        const int width = 1000, height = 400;
        var panels = new[]
        {
            Panel("Loss", "loss", history, m => m.Train.Loss, m => m.Validation.Loss, accuracy: false),
            Panel("Accuracy", "accuracy", history, m => m.Train.Accuracy, m => m.Validation.Accuracy, accuracy: true),
        };

        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var context = new SkiaRenderContext { RenderTarget = RenderTarget.PixelGraphic, SkCanvas = canvas, UseTextShaping = false })
        {
            canvas.Clear(SKColors.White);
            for (var i = 0; i < panels.Length; i++)
            {
                IPlotModel model = panels[i];
                model.Update(true);
                model.Render(context, new OxyRect(i * width / (double)panels.Length, 0, width / (double)panels.Length, height));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // OxyPlot asks for "Segoe UI" by default; where that is missing Skia takes whichever font it finds first.
    private static readonly Lazy<string?> SansSerif = new(() =>
    {
        var installed = SKFontManager.Default.GetFontFamilies();
        return new[] { "DejaVu Sans", "Segoe UI", "Arial", "Helvetica", "Liberation Sans" }.FirstOrDefault(installed.Contains);
    });

    private static PlotModel Panel(string title, string quantity, IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double> train, Func<EpochMetrics, double> validation, bool accuracy)
    {
        var model = new PlotModel { Title = title, TitleFontSize = 15, Background = OxyColors.White, DefaultFont = SansSerif.Value, PlotMargins = new OxyThickness(60, double.NaN, 20, double.NaN) };
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "epoch",
            // A quarter epoch of room either side, so the first and last markers are not cut by the frame.
            Minimum = 0.75,
            Maximum = history.Count + 0.25,
            MinimumMajorStep = 1,
            MinorStep = 1,
            StringFormat = "0",
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left,
            Title = quantity,
            Minimum = 0,
            Maximum = accuracy ? 1 : double.NaN,
            MaximumPadding = 0.08,
            MajorStep = accuracy ? 0.2 : double.NaN,
            StringFormat = accuracy ? "0%" : null,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(0xe4, 0xe4, 0xe4),
            MinorGridlineStyle = LineStyle.Dot,
            MinorGridlineColor = OxyColor.FromRgb(0xf0, 0xf0, 0xf0),
        });
        // Outside the plot area, so it never hides a curve.
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.TopRight,
            LegendPlacement = LegendPlacement.Outside,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendBorder = OxyColors.LightGray,
        });
        foreach (var (name, select, color) in new[] { ("train", train, OxyColor.FromRgb(0x1f, 0x77, 0xb4)), ("validation", validation, OxyColor.FromRgb(0xff, 0x7f, 0x0e)) })
        {
            var series = new LineSeries { Title = name, Color = color, StrokeThickness = 2, MarkerType = MarkerType.Circle, MarkerSize = 3.5, MarkerFill = color };
            series.Points.AddRange(history.Select(m => new DataPoint(m.Epoch + 1, select(m))));
            model.Series.Add(series);
        }

        return model;
    }
}
