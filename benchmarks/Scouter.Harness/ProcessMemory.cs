using System.Diagnostics;
using System.Globalization;

namespace Scouter.Harness;

/// <summary>
/// This process's resident memory, native allocations included (LibTorch's tensors live outside the managed heap,
/// so <see cref="GC"/> figures miss them). On Linux it reads <c>VmRSS</c> and <c>VmHWM</c> from
/// <c>/proc/self/status</c>; elsewhere it falls back to <see cref="Process.WorkingSet64"/>.
/// </summary>
public static class ProcessMemory
{
    private const string StatusFile = "/proc/self/status";

    /// <summary>Resident set size now, in bytes.</summary>
    public static long ResidentBytes() => ReadStatusKib("VmRSS") is { } kib ? kib * 1024 : CurrentProcess(p => p.WorkingSet64);

    /// <summary>Peak resident set size of the process so far (high-water mark), in bytes.</summary>
    public static long PeakResidentBytes() => ReadStatusKib("VmHWM") is { } kib ? kib * 1024 : CurrentProcess(p => p.PeakWorkingSet64);

    /// <summary>Threads of this process now (managed and native), from <c>Threads</c> in <c>/proc/self/status</c>.</summary>
    public static int ThreadCount() => ReadStatusKib("Threads") is { } count ? (int)count : CurrentProcess(p => p.Threads.Count);

    private static T CurrentProcess<T>(Func<Process, T> read)
    {
        using var process = Process.GetCurrentProcess();
        return read(process);
    }

    private static long? ReadStatusKib(string field)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(StatusFile))
        {
            return null;
        }

        foreach (var line in File.ReadLines(StatusFile))
        {
            if (line.Length > field.Length && line.StartsWith(field, StringComparison.Ordinal) && line[field.Length] == ':')
            {
                var value = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
