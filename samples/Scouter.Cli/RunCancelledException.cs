namespace Scouter.Cli;

/// <summary>Ctrl+C stopped a verb; the message says what was kept (exit code 130).</summary>
internal sealed class RunCancelledException(string message) : OperationCanceledException(message);
