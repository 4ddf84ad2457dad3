using System.Runtime.Intrinsics.X86;

namespace Scouter.Core.Training;

/// <summary>
/// The instruction sets LibTorch's CPU kernels run with in this process: oneDNN's (convolutions) and ATen's
/// (everything element-wise), each the best the CPU offers, capped by the environment variables both libraries read
/// when they load (<c>ONEDNN_MAX_CPU_ISA</c>, or <c>DNNL_MAX_CPU_ISA</c> as older oneDNN releases spell it, and
/// <c>ATEN_CPU_CAPABILITY</c>). <see cref="PerformanceDefaults"/> decides layouts from it.
/// </summary>
/// <remarks>
/// <para>The CPU's features come from <see cref="System.Runtime.Intrinsics.X86"/>, i.e. what the CPU and the
/// operating system support, as oneDNN's and ATen's own checks see them. A .NET setting that hides instruction sets
/// from the runtime (<c>DOTNET_EnableAVX512F=0</c>) makes this report less than the libraries use; every decision
/// taken from it then falls back to the plain setting.</para>
/// <para>oneDNN upper-cases its variable and takes the first of <c>ONEDNN_MAX_CPU_ISA</c> and <c>DNNL_MAX_CPU_ISA</c>
/// that is set and not empty; values it does not know (and <c>DEFAULT</c>, <c>ALL</c>) leave the CPU's best. ATen
/// compares its variable case-sensitively with <c>avx512</c>, <c>avx2</c> and <c>default</c> and ignores others. Both
/// read them once, when LibTorch loads: change them before the process starts.</para>
/// </remarks>
/// <param name="OneDnn">The instruction set of oneDNN's kernels.</param>
/// <param name="Aten">The build of ATen's kernels.</param>
public sealed record CpuKernelSupport(OneDnnIsa OneDnn, AtenCpuCapability Aten)
{
    private static readonly Lazy<CpuKernelSupport> CurrentValue = new(() => Detect(Environment.GetEnvironmentVariable));

    /// <summary>What this process's LibTorch runs with (read once, from this CPU and this process's environment).</summary>
    public static CpuKernelSupport Current => CurrentValue.Value;

    /// <summary>
    /// Whether the CPU describes its caches to programs (<c>cpuid</c> leaf 4 on Intel, 0x8000001D on AMD). oneDNN sizes
    /// the blocks of its channels-last (brgemm) kernels from them; on a virtual machine that hides them (an AMD EPYC of
    /// family 26 under KVM) those kernels compute wrong results, or fail with a division by zero, for some shapes.
    /// Default true.
    /// </summary>
    public bool ReportsCacheTopology { get; init; } = true;

    /// <summary>Whether both libraries run AVX-512 kernels.</summary>
    public bool IsAvx512 => OneDnn == OneDnnIsa.Avx512Core && Aten == AtenCpuCapability.Avx512;

    /// <summary>One line for logs, e.g. <c>oneDNN avx512_core, ATen avx512</c>.</summary>
    public override string ToString() => $"oneDNN {OneDnnName(OneDnn)}, ATen {Aten.ToString().ToLowerInvariant()}";

    /// <summary>The kernels a CPU with the given best instruction sets runs under the given environment.</summary>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="hardwareOneDnn">The best oneDNN instruction set of the CPU; null reads this CPU's.</param>
    /// <param name="hardwareAten">The best ATen build of the CPU; null reads this CPU's.</param>
    /// <param name="reportsCacheTopology">Whether the CPU describes its caches; null reads this CPU's.</param>
    public static CpuKernelSupport Detect(Func<string, string?> environment, OneDnnIsa? hardwareOneDnn = null, AtenCpuCapability? hardwareAten = null, bool? reportsCacheTopology = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var oneDnn = hardwareOneDnn ?? HardwareOneDnn();
        var aten = hardwareAten ?? HardwareAten();
        var oneDnnCap = OneDnnCap(FirstSet(environment("ONEDNN_MAX_CPU_ISA"), environment("DNNL_MAX_CPU_ISA")));
        var atenCap = AtenCap(environment("ATEN_CPU_CAPABILITY"));
        return new CpuKernelSupport(
            oneDnnCap is { } a && a < oneDnn ? a : oneDnn,
            atenCap is { } b && b < aten ? b : aten)
        {
            ReportsCacheTopology = reportsCacheTopology ?? HardwareReportsCacheTopology(),
        };
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));

    // oneDNN's names (cpu_isa_traits): SSE41, AVX, AVX2, AVX2_VNNI, AVX2_VNNI_2, AVX512_CORE, AVX512_CORE_VNNI,
    // AVX512_CORE_BF16, AVX512_CORE_FP16, AVX512_CORE_AMX, AVX10_1_512, AVX10_1_512_AMX, …
    private static OneDnnIsa? OneDnnCap(string? value)
    {
        var text = value?.Trim().ToUpperInvariant();
        return text switch
        {
            null or "" => null,
            "SSE41" => OneDnnIsa.Sse41,
            "AVX" => OneDnnIsa.Avx,
            _ when text.StartsWith("AVX2", StringComparison.Ordinal) => OneDnnIsa.Avx2,
            _ when text.StartsWith("AVX512", StringComparison.Ordinal) || text.StartsWith("AVX10", StringComparison.Ordinal) => OneDnnIsa.Avx512Core,
            _ => null,
        };
    }

    private static AtenCpuCapability? AtenCap(string? value) => value switch
    {
        "avx512" => AtenCpuCapability.Avx512,
        "avx2" => AtenCpuCapability.Avx2,
        "default" => AtenCpuCapability.Default,
        _ => null,
    };

    private static OneDnnIsa HardwareOneDnn()
    {
        if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported)
        {
            return OneDnnIsa.Avx512Core;
        }

        if (Avx2.IsSupported)
        {
            return OneDnnIsa.Avx2;
        }

        return Avx.IsSupported ? OneDnnIsa.Avx : Sse41.IsSupported ? OneDnnIsa.Sse41 : OneDnnIsa.None;
    }

    private static AtenCpuCapability HardwareAten()
    {
        if (!Fma.IsSupported)
        {
            return AtenCpuCapability.Default;
        }

        if (Avx512F.VL.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported)
        {
            return AtenCpuCapability.Avx512;
        }

        return Avx2.IsSupported ? AtenCpuCapability.Avx2 : AtenCpuCapability.Default;
    }

    // What Xbyak (oneDNN's CPU probe) reads: on AMD the first sub-leaf of 0x8000001D when the CPU has that leaf (else the
    // legacy leaves 0x80000005/6, which always answer), on Intel the first sub-leaf of 4; cache type 0 means "no caches".
    private static bool HardwareReportsCacheTopology()
    {
        if (!X86Base.IsSupported)
        {
            return true;
        }

        var (maxLeaf, vendor1, vendor3, vendor2) = X86Base.CpuId(0, 0);
        var vendor = string.Concat(new[] { vendor1, vendor2, vendor3 }.Select(part => System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(part))));
        if (vendor == "AuthenticAMD")
        {
            var maxExtended = (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
            return maxExtended < 0x8000001D || (X86Base.CpuId(unchecked((int)0x8000001D), 0).Eax & 0x1F) != 0;
        }

        return vendor != "GenuineIntel" || maxLeaf < 4 || (X86Base.CpuId(4, 0).Eax & 0x1F) != 0;
    }

    private static string OneDnnName(OneDnnIsa isa) => isa switch
    {
        OneDnnIsa.Avx512Core => "avx512_core",
        OneDnnIsa.None => "none",
        _ => isa.ToString().ToLowerInvariant(),
    };
}
