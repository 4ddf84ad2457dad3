namespace Scouter.Cli.Arguments;

/// <summary>A command line that cannot be run as written. The CLI prints the message and exits with code 2, as argparse does.</summary>
internal sealed class UsageException(string message) : Exception(message);
