namespace Scouter.Core.Training;

/// <summary>
/// Which build of ATen's own vectorised CPU kernels (element-wise operations, batch norm, pooling, reductions) LibTorch
/// dispatches to, in increasing order; ATen chooses once per process from the CPU and the <c>ATEN_CPU_CAPABILITY</c>
/// environment variable.
/// </summary>
public enum AtenCpuCapability
{
    /// <summary>The portable build (no AVX2), or not an x86-64 CPU.</summary>
    Default,

    /// <summary>The AVX2 build (needs AVX2 and FMA).</summary>
    Avx2,

    /// <summary>The AVX-512 build (needs AVX-512 F, BW, VL, DQ and FMA).</summary>
    Avx512,
}
