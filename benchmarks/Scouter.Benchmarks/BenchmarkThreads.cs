using Scouter.Core.Training;

namespace Scouter.Benchmarks;

/// <summary>
/// The LibTorch thread count every benchmark uses: <c>SCOUTER_BENCH_THREADS</c> when set, else the physical core
/// count (<see cref="ComputeDevice.ConfigureThreads"/>'s default), so both sides of a comparison run with the same.
/// </summary>
internal static class BenchmarkThreads
{
    public static int? Requested =>
        int.TryParse(Environment.GetEnvironmentVariable("SCOUTER_BENCH_THREADS"), out var threads) && threads > 0 ? threads : null;

    public static int Configure() => ComputeDevice.ConfigureThreads(Requested);
}
