namespace Scouter.Cli.Tests;

/// <summary>
/// Tests that compare two runs, or a run with a model built after <c>manual_seed</c>, need the process-wide
/// LibTorch generator to themselves: other test classes running in parallel reseed and draw from it.
/// </summary>
[CollectionDefinition(nameof(GlobalRandomGenerator), DisableParallelization = true)]
public sealed class GlobalRandomGenerator;
