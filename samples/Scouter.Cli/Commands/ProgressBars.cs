using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>The progress bars every long-running verb shows: description, bar, percentage, elapsed and remaining time.</summary>
internal static class ProgressBars
{
    public static T Run<T>(CommandContext context, Func<ProgressContext, T> work) =>
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(work);

    /// <summary>
    /// A reporter that updates the bars on the worker's own thread: <see cref="Progress{T}"/> would post to the thread
    /// pool and lag behind.
    /// </summary>
    public static IProgress<T> Reporter<T>(Action<T> report) => new SynchronousProgress<T>(report);

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
