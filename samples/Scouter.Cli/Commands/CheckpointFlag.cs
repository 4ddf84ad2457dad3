namespace Scouter.Cli.Commands;

/// <summary>One setting a checkpoint supplies when its flag is not given.</summary>
/// <param name="Name">The flag's official name, as the checkpoint's <c>args</c> records it.</param>
/// <param name="Scope">The part of the model it describes.</param>
/// <param name="OnDisagreement">What a given flag that differs from the checkpoint's value leads to.</param>
/// <param name="LocalPath">A path on the training machine: taken only when it exists here.</param>
internal sealed record CheckpointFlag(string Name, CheckpointScope Scope, Disagreement OnDisagreement, bool LocalPath = false);
