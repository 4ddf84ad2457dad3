using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>What every verb gets: the console to write to, a logger factory writing to it, and the cancellation token (Ctrl+C).</summary>
internal sealed record CommandContext(IAnsiConsole Console, ILoggerFactory Logs, CancellationToken Cancellation)
{
    public ILogger Logger { get; } = Logs.CreateLogger("scouter");
}
