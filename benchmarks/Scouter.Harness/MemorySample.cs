namespace Scouter.Harness;

/// <summary>The process's memory after one step of a <see cref="MemorySoak"/> run.</summary>
/// <param name="Step">The step (1-based) just finished.</param>
/// <param name="ResidentBytes">Resident set size (<c>VmRSS</c>), native memory included.</param>
/// <param name="LiveTensors">TorchSharp tensors not yet disposed (<c>Tensor.TotalCount</c>).</param>
/// <param name="ManagedCommittedBytes">Memory the .NET garbage collector has committed (part of the RSS); tells
/// managed-heap growth, which a later collection gives back, from native growth.</param>
public sealed record MemorySample(int Step, long ResidentBytes, long LiveTensors, long ManagedCommittedBytes);
