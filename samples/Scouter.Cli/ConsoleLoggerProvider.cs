using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Scouter.Cli;

/// <summary>
/// Writes library log messages through the same Spectre console as the progress bars, so the two never
/// interleave mid-line. Warnings stand out, as a missing weights file must.
/// </summary>
internal sealed class ConsoleLoggerProvider(IAnsiConsole console, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(console, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(IAnsiConsole console, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = Markup.Escape(formatter(state, exception));
            var line = logLevel switch
            {
                >= LogLevel.Error => $"[red bold]error:[/] {text}",
                LogLevel.Warning => $"[yellow bold]warning:[/] [yellow]{text}[/]",
                _ => text,
            };
            lock (console)
            {
                console.MarkupLine(line);
            }
        }
    }
}
