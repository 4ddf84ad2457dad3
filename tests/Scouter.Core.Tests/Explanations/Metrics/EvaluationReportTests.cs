using Scouter.Core.Explanations.Metrics;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class EvaluationReportTests
{
    private static EvaluationReport Report() => new(
        [
            new MethodMetrics("SCOUTER+", "why", 10, 0.9, 0.15612, 0.84931, null, 0.75123, 0.17534, 0.0799, 0.07964, 0.41236, 0.75, 25),
            new MethodMetrics("Grad-CAM", "why", 10, 0.8, 0.3, 0.7, 0.5, 0.6, 0.2, 0.1, double.NaN),
        ],
        new Dictionary<string, string> { ["seed"] = "0" });

    [Fact]
    public void ToMarkdown_WritesOneRowPerMethodWithFourDecimals()
    {
        var lines = Report().ToMarkdown().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        lines.Should().HaveCount(4);
        lines[0].Should().StartWith("| Method | Explains | Images | Accuracy | Area size ↓ | Precision ↑").And.EndWith("| Class precision ↑ | Class pointing game ↑ |");
        lines[2].Should().Be("| SCOUTER+ | why | 10 | 0.9000 | 0.1561 | 0.8493 | — | 0.7512 | 0.1753 | 0.0799 | 0.0796 | 0.4124 | 0.7500 |");
        lines[3].Should().EndWith("| 0.1000 | — | — | — |", "no per-class ground truth: no class-specific values");
    }

    [Fact]
    public void Json_RoundTripsEveryValue_IncludingNaNAndMissingOnes()
    {
        var json = Report().ToJson();
        var back = EvaluationReport.FromJson(json);

        json.Should().Contain("\"insertionAuc\"").And.Contain("\"NaN\"").And.Contain("\"classPrecision\"").And.Contain("\"classPairs\": 25");
        back.Rows.Should().HaveCount(2);
        back.Rows[0].Should().Be(Report().Rows[0]);
        back.Rows[1].ClassPrecision.Should().BeNull();
        back.Rows[1].ClassPairs.Should().Be(0);
        back.Rows[1].PointingGame.Should().Be(0.5);
        double.IsNaN(back.Rows[1].MaxSensitivity).Should().BeTrue();
        back.Settings["seed"].Should().Be("0");
    }

    [Fact]
    public void Save_WritesTheJsonFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "scouter-report-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            Report().Save(path);
            EvaluationReport.FromJson(File.ReadAllText(path)).Rows[0].Method.Should().Be("SCOUTER+");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
