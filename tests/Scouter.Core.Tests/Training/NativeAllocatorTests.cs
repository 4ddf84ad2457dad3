using Scouter.Core.Training;
using Scouter.Harness;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class NativeAllocatorTests
{
    [Fact]
    public void ReuseFreedMemory_KeepsAFreedLargeTensorResident()
    {
        // This machine runs glibc, whose mallopt accepts both settings.
        NativeAllocator.ReuseFreedMemory().Should().BeTrue();

        // Without the setting glibc serves a 16 MiB block with its own mmap once the block is above the mmap
        // threshold, and unmaps it on free, so RSS drops by 16 MiB; with it the block comes from the heap and
        // stays mapped for the next allocation. (Test threads are not the process's first thread, and glibc
        // still maps blocks above 64 MiB separately for other threads, so the block stays below that.)
        long during;
        using (var tensor = ones(4L * 1024 * 1024))
        {
            during = ProcessMemory.ResidentBytes();
        }

        var after = ProcessMemory.ResidentBytes();
        (during - after).Should().BeLessThan(4L * 1024 * 1024, "the freed 16 MiB stay resident for reuse");
    }
}
