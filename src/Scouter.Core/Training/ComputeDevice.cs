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
                        ? $"Device '{request}' was requested but CUDA is not available here: {WhyNoCuda()} Or use 'cpu'."
                        : $"Device '{request}' was requested but this machine has {available} CUDA device(s): cuda:0 … cuda:{available - 1}.",
                    nameof(request));
            }

            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"Device '{request}' is not one of: auto, cpu, cuda, cuda:N.", nameof(request));
    }

    /// <summary>
    /// Resolves the devices of a data-parallel run (<see cref="DataParallel"/>): an explicit comma-separated list
    /// (<c>cuda:0,cuda:1</c>, <c>cpu,cpu</c>) wins; otherwise <paramref name="worldSize"/> replicas on the family of
    /// <paramref name="device"/>: <c>cuda:0 … cuda:N-1</c> when it resolves to CUDA, else N CPU replicas.
    /// One device means ordinary single-device training.
    /// </summary>
    /// <param name="devices">Comma-separated device requests, or null/empty to use <paramref name="worldSize"/>.</param>
    /// <param name="worldSize">Number of replicas when no list is given (≥ 1); must equal the list's length when both are given and it is above 1.</param>
    /// <param name="device">The single-device request (<see cref="Resolve"/>) whose family the replicas take.</param>
    /// <returns>The devices, the first being where the model, the optimizer and the averaged gradients live.</returns>
    /// <exception cref="ArgumentException">A request is malformed or names a device this machine lacks (the message lists the available ones), or the counts disagree.</exception>
    public static IReadOnlyList<Device> ResolveAll(string? devices, int worldSize = 1, string? device = Auto)
    {
        if (worldSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "The world size (number of replicas) must be at least 1.");
        }

        if (!string.IsNullOrWhiteSpace(devices))
        {
            var requests = devices.Split(',', StringSplitOptions.TrimEntries);
            if (worldSize > 1 && worldSize != requests.Length)
            {
                throw new ArgumentException($"The world size {worldSize} disagrees with the device list '{devices}' of {requests.Length} device(s); give one of them, or make them agree.", nameof(worldSize));
            }

            return requests.Select(request => ResolveListed(request, devices)).ToList();
        }

        var single = Resolve(device);
        if (worldSize == 1)
        {
            return [single];
        }

        if (single.type != DeviceType.CUDA)
        {
            return Enumerable.Range(0, worldSize).Select(_ => CPU).ToList();
        }

        var count = cuda.device_count();
        if (worldSize > count)
        {
            throw new ArgumentException($"The world size {worldSize} asks for cuda:0 … cuda:{worldSize - 1}, but this machine has {count} CUDA device(s) ({Available()}); lower the world size or list the devices.", nameof(worldSize));
        }

        return Enumerable.Range(0, worldSize).Select(i => new Device(DeviceType.CUDA, i)).ToList();
    }

    /// <summary>
    /// The TorchSharp package that brings LibTorch's CUDA build to an application on this operating system, with the
    /// version of the TorchSharp this process runs (e.g. <c>TorchSharp-cuda-linux 0.107.0</c>); null where TorchSharp
    /// ships no CUDA build (macOS).
    /// </summary>
    public static string? CudaBackendPackage() =>
        CudaBackend() is { } backend && typeof(torch).Assembly.GetName().Version is { } version ? $"{backend.Package} {version.ToString(3)}" : CudaBackend()?.Package;

    // The CUDA package of this operating system and the TorchBackend value that selects it in this repository's builds.
    private static (string Package, string Backend)? CudaBackend() =>
        OperatingSystem.IsLinux() ? ("TorchSharp-cuda-linux", "cuda-linux")
        : OperatingSystem.IsWindows() ? ("TorchSharp-cuda-windows", "cuda-windows")
        : null;

    // Tells apart the two reasons: the application carries only LibTorch's CPU build (the usual case: it references
    // TorchSharp-cpu), or the CUDA build is there and the driver or device is missing.
    private static string WhyNoCuda()
    {
        if (CudaBackendPackage() is not { } package)
        {
            return "TorchSharp has no CUDA build for this operating system.";
        }

        var cudaLibrary = OperatingSystem.IsWindows() ? "torch_cuda.dll" : "libtorch_cuda.so";
        var root = AppContext.BaseDirectory;
        var runtimes = Path.Combine(root, "runtimes");
        var hasCudaBuild = File.Exists(Path.Combine(root, cudaLibrary))
            || (Directory.Exists(runtimes) && Directory.EnumerateFiles(runtimes, cudaLibrary, SearchOption.AllDirectories).Any());
        return hasCudaBuild
            ? $"this application carries LibTorch's CUDA build ({cudaLibrary}) but found no CUDA device; check the NVIDIA driver (nvidia-smi)."
            : $"this application carries LibTorch's CPU build only. Reference the package {package} instead of TorchSharp-cpu (the repository's own apps: build with -p:TorchBackend={CudaBackend()!.Value.Backend}), on a machine with an NVIDIA driver.";
    }

    /// <summary>The devices this machine offers, e.g. <c>cpu, cuda:0, cuda:1</c>.</summary>
    public static string Available()
    {
        var count = cuda.is_available() ? cuda.device_count() : 0;
        return string.Join(", ", Enumerable.Range(0, count).Select(i => $"cuda:{i}").Prepend("cpu"));
    }

    private static Device ResolveListed(string request, string list)
    {
        if (request.Length == 0 || string.Equals(request, Auto, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The device list '{list}' holds '{request}'; list concrete devices ({Available()}).", nameof(request));
        }

        try
        {
            return Resolve(request);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The device list '{list}' names '{request}', which is not available: {e.Message.Split(" (Parameter")[0]} Available here: {Available()}.", nameof(request), e);
        }
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
