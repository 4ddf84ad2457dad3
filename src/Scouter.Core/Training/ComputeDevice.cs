using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// The one place that turns a device request (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) into a
/// TorchSharp <see cref="Device"/>, so the library, the samples and the CLI choose CPU or CUDA the same way.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The request meaning "CUDA device 0 when available, else the CPU".</summary>
    public const string Auto = "auto";

    /// <summary>Resolves a device request.</summary>
    /// <param name="request"><c>auto</c> (or null/empty), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, case-insensitive.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">The request is malformed, or names a CUDA device this machine does not have.</exception>
    public static Device Resolve(string? request = Auto)
    {
        var text = string.IsNullOrWhiteSpace(request) ? Auto : request.Trim().ToLowerInvariant();
        if (text == Auto)
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > 4 && !int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))
            {
                throw new ArgumentException($"Device '{request}' is not of the form cuda:N with N a device index.", nameof(request));
            }

            var available = cuda.is_available() ? cuda.device_count() : 0;
            if (index >= available)
            {
                throw new ArgumentException(
                    available == 0
                        ? $"Device '{request}' was requested but CUDA is not available here (reference a CUDA TorchSharp backend and check the driver), or use 'cpu'."
                        : $"Device '{request}' was requested but this machine has {available} CUDA device(s): cuda:0 … cuda:{available - 1}.",
                    nameof(request));
            }

            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"Device '{request}' is not one of: auto, cpu, cuda, cuda:N.", nameof(request));
    }

    /// <summary>
    /// Sets LibTorch's intra-op thread count. Without an explicit count it uses the number of
    /// physical cores, which is what LibTorch performs best with (hyper-threads only add contention).
    /// </summary>
    /// <param name="threads">Threads to use (≥ 1), or null for the physical core count.</param>
    /// <returns>The thread count in force.</returns>
    public static int ConfigureThreads(int? threads = null)
    {
        if (threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread count must be at least 1.");
        }

        var count = threads ?? PhysicalCoreCount();
        if (get_num_threads() != count)
        {
            set_num_threads(count);
        }

        return get_num_threads();
    }

    /// <summary>Physical cores of this machine (logical processors on platforms where the topology cannot be read).</summary>
    public static int PhysicalCoreCount()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(cpuInfo))
        {
            return Environment.ProcessorCount;
        }

        // Distinct (physical id, core id) pairs; virtual machines often omit them, then every processor counts.
        var cores = new HashSet<(string, string)>();
        string physical = "0", core = string.Empty;
        foreach (var line in File.ReadLines(cpuInfo))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                if (core.Length > 0)
                {
                    cores.Add((physical, core));
                }

                core = string.Empty;
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "physical id")
            {
                physical = value;
            }
            else if (key == "core id")
            {
                core = value;
            }
        }

        if (core.Length > 0)
        {
            cores.Add((physical, core));
        }

        return cores.Count > 0 ? Math.Min(cores.Count, Environment.ProcessorCount) : Environment.ProcessorCount;
    }
}
