using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Cli.Commands;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Training;
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
            return args.Length == 0 ? ErrorBoundary.Usage : 0;
        }

        using var logs = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Information)
            .AddProvider(new ConsoleLoggerProvider(console, LogLevel.Information)));
        var decodingLimit = ImageDecoder.MaxPixels;
        try
        {
            var parsed = ArgumentParser.Parse(args);
            ImageDecoder.MaxPixels = parsed.Integer("max_image_pixels") is > 0 and var limit ? limit : null;
            // Before any data set, model or output: a run that cannot read its inputs or write its outputs fails now.
            FlagPaths.Check(parsed);
            PerformanceSettings.ConfigureAllocator(parsed);
            // Process-wide, so set once here for every verb (the physical cores unless --threads says otherwise): an
            // application chooses its threads, not a library call.
            ComputeDevice.ConfigureThreads(parsed.OptionalInteger("threads"));

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
        catch (Exception e)
        {
            return ErrorBoundary.Report(e, console, ErrorBoundary.IsVerbose(args), Cancelled(args[0]));
        }
        finally
        {
            // A process-wide setting: a host that runs several command lines (the tests) gets its own back.
            ImageDecoder.MaxPixels = decodingLimit;
        }
    }

    /// <summary>What a Ctrl+C leaves behind, for the verbs whose cancellation does not say it itself.</summary>
    private static string Cancelled(string verb) => verb switch
    {
        "evaluate" => "Cancelled; no metric table was written.",
        "cam" => "Cancelled; the baselines finished before it are rendered, the others are not.",
        "export-official" => "Cancelled; no checkpoint was written.",
        "export-onnx" => "Cancelled; no model was written.",
        _ => "Cancelled.",
    };
}
