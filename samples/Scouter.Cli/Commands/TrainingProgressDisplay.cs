using System.Globalization;
using Scouter.Core.Training;
using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>Progress bars with ETA and live loss and accuracy for each epoch's training and validation phases.</summary>
internal static class TrainingProgressDisplay
{
    public static IReadOnlyList<EpochMetrics> Run(CommandContext context, int epochs, Trainer trainer, ITrainingBatches batches)
    {
        IReadOnlyList<EpochMetrics> history = [];
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var tasks = new Dictionary<(int, TrainingPhase), ProgressTask>();
                var reporter = new Reporter(report =>
                {
                    var key = (report.Epoch, report.Phase);
                    if (!tasks.TryGetValue(key, out var task))
                    {
                        task = progress.AddTask($"epoch {report.Epoch + 1}", maxValue: report.Steps ?? 1);
                        tasks[key] = task;
                    }

                    var phase = report.Phase == TrainingPhase.Train ? "train" : "val  ";
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {report.Epoch + 1}/{report.Epochs} {phase} loss {report.Loss:F4} acc {report.Accuracy:P1}");
                    task.Value = report.Step;
                    if (report.Steps is { } steps && report.Step >= steps)
                    {
                        task.StopTask();
                    }
                });
                history = trainer.Fit(batches, reporter, context.Cancellation);
            });
        return history;
    }

    /// <summary>Reports on the training thread: <see cref="Progress{T}"/> would post to a thread pool and lag behind.</summary>
    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
