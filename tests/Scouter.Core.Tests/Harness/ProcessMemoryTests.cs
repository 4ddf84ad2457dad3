using Scouter.Harness;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Harness;

public sealed class ProcessMemoryTests
{
    [Fact]
    public void ResidentBytes_CountsNativeTensorMemory()
    {
        var before = ProcessMemory.ResidentBytes();

        // 256 MiB of LibTorch memory, touched (ones writes every page), lives outside the managed heap. The block is
        // larger than anything glibc serves from a heap (64 MiB per thread arena), so it is freshly mapped even after
        // NativeAllocator.ReuseFreedMemory has kept earlier tests' freed blocks resident.
        using var tensor = ones(64L * 1024 * 1024);
        var during = ProcessMemory.ResidentBytes();

        (during - before).Should().BeGreaterThan(192L * 1024 * 1024, "the pages of a touched 256 MiB tensor are resident");
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
