using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Scouter.Benchmarks;

/// <summary>
/// A job short enough for the whole suite to finish on a 2-core machine: one invocation per iteration (a training
/// step takes most of a second, so BenchmarkDotNet's pilot stage would only waste time), 2 warm-up and 7 measured
/// iterations, run in process (no per-benchmark project build; the TorchSharp native-load fix of this repository's
/// build applies as it does to every app here). Reports median, min and max besides the mean: the machine is shared
/// and noisy, and the median is what docs/performance.md quotes.
/// </summary>
public sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(7)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Short"));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
        WithOptions(ConfigOptions.JoinSummary);
    }
}
