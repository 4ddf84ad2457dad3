using System.Globalization;
using Scouter.Core.Training;
using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>Progress bars with ETA and live loss and accuracy for each epoch's training and validation phases.</summary>
internal static class TrainingProgressDisplay
{
    public static IReadOnlyList<EpochMetrics> Run(CommandContext context, int epochs, Trainer trainer, ITrainingBatches batches) =>
        ProgressBars.Run(context, progress =>
        {
            var tasks = new Dictionary<(int, TrainingPhase), ProgressTask>();
            var reporter = ProgressBars.Reporter<TrainingProgress>(report =>
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
            return trainer.Fit(batches, reporter, context.Cancellation);
        });
}
