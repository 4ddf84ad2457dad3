using Scouter.Harness;

namespace Scouter.Core.Tests.Harness;

public sealed class TimingSummaryTests
{
    [Fact]
    public void Median_OfAnOddCount_IsTheMiddleValue()
    {
        var timing = new TimingSummary([30.0, 10.0, 20.0]);

        timing.Median.Should().Be(20.0);
        timing.Min.Should().Be(10.0);
        timing.Max.Should().Be(30.0);
        timing.Count.Should().Be(3);
    }

    [Fact]
    public void Median_OfAnEvenCount_IsTheMeanOfTheMiddleTwo()
    {
        // Sorted 1, 2, 4, 100: the middle two are 2 and 4.
        new TimingSummary([100.0, 2.0, 1.0, 4.0]).Median.Should().Be(3.0);
    }

    [Fact]
    public void Quantile_InterpolatesBetweenOrderStatistics()
    {
        // Sorted 10, 20, 30, 40, 50: q = 0.9 sits at position 0.9·4 = 3.6, so 40 + 0.6·(50 − 40) = 46.
        var timing = new TimingSummary([50.0, 10.0, 40.0, 20.0, 30.0]);

        timing.Quantile(0.9).Should().BeApproximately(46.0, 1e-12);
        timing.Quantile(0.0).Should().Be(10.0);
        timing.Quantile(1.0).Should().Be(50.0);
    }

    [Fact]
    public void Summary_OfNoRuns_IsNaN()
    {
        var timing = new TimingSummary([]);

        timing.Median.Should().Be(double.NaN);
        timing.Min.Should().Be(double.NaN);
    }
}
