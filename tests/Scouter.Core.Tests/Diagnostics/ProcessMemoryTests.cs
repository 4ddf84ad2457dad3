using Scouter.Core.Diagnostics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Diagnostics;

public sealed class ProcessMemoryTests
{
    [Fact]
    public void ResidentBytes_CountsNativeTensorMemory()
    {
        var before = ProcessMemory.ResidentBytes();

        // 64 MiB of LibTorch memory, touched (ones writes every page), lives outside the managed heap.
        using var tensor = ones(16L * 1024 * 1024);
        var during = ProcessMemory.ResidentBytes();

        (during - before).Should().BeGreaterThan(48L * 1024 * 1024, "the pages of a touched 64 MiB tensor are resident");
        ProcessMemory.PeakResidentBytes().Should().BeGreaterThanOrEqualTo(during);
    }

    [Fact]
    public void ThreadCount_SeesThreadsThisTestStarts()
    {
        var before = ProcessMemory.ThreadCount();
        using var release = new ManualResetEventSlim();
        var thread = new Thread(() => release.Wait());
        thread.Start();

        ProcessMemory.ThreadCount().Should().BeGreaterThan(before - 1).And.BeGreaterThan(1);
        release.Set();
        thread.Join();
    }
}
