namespace Scouter.Cli;

/// <summary>A run that cannot go on for a reason the user can fix (a missing weights file, a flag combination). Exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
