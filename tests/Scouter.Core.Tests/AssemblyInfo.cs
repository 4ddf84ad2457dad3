// Leak tests read the process-wide live-tensor count, and LibTorch already uses both cores here:
// running test classes one at a time keeps the counts exact and costs nothing in speed.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
