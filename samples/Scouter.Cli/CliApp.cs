using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scouter.Cli.Arguments;
using Scouter.Cli.Commands;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Interop;
using Spectre.Console;

namespace Scouter.Cli;

/// <summary>The <c>scouter</c> program: parses the official flags and runs a verb. A thin shell over library calls.</summary>
internal static class CliApp
{
    /// <summary>Runs one command line; returns the exit code (0 done, 1 failed, 2 usage error, 130 cancelled).</summary>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellation = default)
    {
        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 160);
            console.Write(new Text(HelpText.Build()));
            return args.Length == 0 ? 2 : 0;
        }

        using var logs = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Information)
            .AddProvider(new ConsoleLoggerProvider(console, LogLevel.Information)));
        try
        {
            var parsed = ArgumentParser.Parse(args);
            PerformanceSettings.ConfigureAllocator(parsed);
            var context = new CommandContext(console, logs, cancellation);
            return parsed.Verb switch
            {
                "train" => TrainCommand.Run(parsed, context),
                "explain" => ExplainCommand.Run(parsed, context),
                "cam" => CamCommand.Run(parsed, context),
                "evaluate" => EvaluateCommand.Run(parsed, context),
                "bench" => BenchCommand.Run(parsed, context),
                "export-official" => ExportOfficialCommand.Run(parsed, context),
                "export-onnx" => ExportOnnxCommand.Run(parsed, context),
                _ => throw new UsageException($"Unknown verb '{parsed.Verb}'."),
            };
        }
        catch (UsageException e)
        {
            console.MarkupLine($"[red]scouter: error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(Cancelled(args[0]))}[/]");
            return 130;
        }
        catch (Exception e) when (e is CliException or ArgumentException or OptionsValidationException or DatasetLayoutException
                                   or CheckpointFormatException or StateDictMismatchException or FileNotFoundException or DirectoryNotFoundException
                                   or InvalidOperationException or FormatException)
        {
            console.MarkupLine($"[red]scouter: error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }

    /// <summary>What a Ctrl+C leaves behind, per verb.</summary>
    private static string Cancelled(string verb) => verb switch
    {
        "train" => "Cancelled; the last finished epoch's checkpoint is intact.",
        "evaluate" => "Cancelled; no metric table was written.",
        "cam" => "Cancelled; the baselines finished before it are rendered, the others are not.",
        "export-official" => "Cancelled; no checkpoint was written.",
        _ => "Cancelled.",
    };
}