namespace Scouter.Core.Training;

/// <summary>
/// The widest x86 instruction set oneDNN (LibTorch's convolution library) runs its kernels with, in increasing order.
/// </summary>
public enum OneDnnIsa
{
    /// <summary>Not an x86-64 CPU (oneDNN's x86 kernels do not apply), or nothing known.</summary>
    None,

    /// <summary>SSE 4.1.</summary>
    Sse41,

    /// <summary>AVX (256-bit, no integer or FMA instructions).</summary>
    Avx,

    /// <summary>AVX2 with FMA: 8 floats per vector; blocked layouts of 8 channels (<c>nChw8c</c>).</summary>
    Avx2,

    /// <summary>
    /// AVX-512 F, BW, VL and DQ (oneDNN's <c>avx512_core</c> and everything above it): 16 floats per vector, blocked
    /// layouts of 16 channels (<c>nChw16c</c>).
    /// </summary>
    Avx512Core,
}
