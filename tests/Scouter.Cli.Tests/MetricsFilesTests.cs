using Scouter.Cli.Commands;
using Scouter.Core.Training;
using SkiaSharp;

namespace Scouter.Cli.Tests;

/// <summary>The per-epoch metrics files of <c>scouter train</c>, the OxyPlot figure included.</summary>
public sealed class MetricsFilesTests : IDisposable
{
    private static readonly SKColor Train = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor Validation = new(0xff, 0x7f, 0x0e);
    private readonly string output = Directory.CreateTempSubdirectory("scouter-metrics-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private static IReadOnlyList<EpochMetrics> History(int epochs) => Enumerable.Range(0, epochs)
        .Select(e => new EpochMetrics(e, 1e-4, new PhaseMetrics(2.0 / (e + 1), 0.3 + 0.1 * e, 1.8 / (e + 1), 0.2, 10, 640), new PhaseMetrics(2.2 / (e + 1), 0.25 + 0.1 * e, 2.0 / (e + 1), 0.2, 2, 128), TimeSpan.FromSeconds(3)))
        .ToList();

    [Fact]
    public void Write_CsvJsonAndPng_OneRowPerEpoch()
    {
        var written = MetricsFiles.Write(output, "Synthetic_use_slot_", History(4));

        written.Select(Path.GetFileName).Should().Equal("Synthetic_use_slot_metrics.csv", "Synthetic_use_slot_metrics.json", "Synthetic_use_slot_metrics.png");
        File.ReadAllLines(written[0]).Should().HaveCount(5).And.Subject.First().Should().StartWith("epoch,lr,train_loss");
        using var png = SKBitmap.Decode(written[2]);
        png.Width.Should().Be(1000);
        png.Height.Should().Be(400);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Plot_DrawsBothCurvesInBothPanels_WithLabelledAxes(int epochs)
    {
        using var png = SKBitmap.Decode(MetricsFiles.Plot(History(epochs)));

        foreach (var (left, right) in new[] { (0, png.Width / 2), (png.Width / 2, png.Width) })
        {
            Count(png, left, right, c => Near(c, Train)).Should().BeGreaterThan(20, "the train curve (or marker) is drawn in panel [{0}, {1})", left, right);
            Count(png, left, right, c => Near(c, Validation)).Should().BeGreaterThan(20, "the validation curve (or marker) is drawn in panel [{0}, {1})", left, right);
            // Text (title, axis titles, tick labels, legend) is black; without fonts the panel would hold only lines.
            Count(png, left, right, c => c.Red < 60 && c.Green < 60 && c.Blue < 60).Should().BeGreaterThan(500, "titles, tick labels and the legend are written");
        }
    }

    private static int Count(SKBitmap png, int left, int right, Func<SKColor, bool> match)
    {
        var count = 0;
        for (var y = 0; y < png.Height; y++)
        {
            for (var x = left; x < right; x++)
            {
                count += match(png.GetPixel(x, y)) ? 1 : 0;
            }
        }

        return count;
    }

    private static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 30;
}
