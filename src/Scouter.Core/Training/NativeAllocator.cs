using System.Runtime.InteropServices;

namespace Scouter.Core.Training;

/// <summary>
/// Tunes glibc's <c>malloc</c>, which LibTorch's CPU allocator uses for every tensor, so that activation buffers
/// freed at the end of one training step are reused by the next instead of being returned to the kernel and
/// faulted in again.
/// </summary>
/// <remarks>
/// <para>
/// By default glibc serves every allocation above its mmap threshold (at most 32 MiB) with a fresh <c>mmap</c> and
/// unmaps it on free. A resnet18 step at 260 px allocates hundreds of such buffers; each one costs a page fault and
/// a kernel-zeroed page per 4 KiB touched, several milliseconds per buffer. <see cref="ReuseFreedMemory"/> serves
/// large blocks from the heap and keeps freed memory mapped, which removes that cost. PyTorch processes pay the same
/// cost and gain the same from <c>GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=…</c>.
/// </para>
/// <para>
/// The setting is process-wide and cannot be undone for memory already allocated. Resident memory then stays at the
/// peak of the run instead of falling between steps; it does not grow step after step (checked by
/// the memory soaks of docs/performance.md). It does nothing on platforms other than Linux with glibc.
/// </para>
/// </remarks>
public static class NativeAllocator
{
    // mallopt parameter numbers from glibc's <malloc.h>.
    private const int TrimThreshold = -1;
    private const int MmapMax = -4;

    /// <summary>
    /// Serves large allocations from the heap and stops returning freed heap memory to the kernel
    /// (<c>mallopt(M_MMAP_MAX, 0)</c>, <c>mallopt(M_TRIM_THRESHOLD, 2 GiB − 1)</c>).
    /// </summary>
    /// <returns>True when glibc accepted both settings; false elsewhere (nothing is changed).</returns>
    public static bool ReuseFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return mallopt(MmapMax, 0) == 1 && mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries have no mallopt
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int mallopt(int parameter, int value);
}
