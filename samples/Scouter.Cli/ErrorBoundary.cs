using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Scouter.Cli.Arguments;
using Spectre.Console;

namespace Scouter.Cli;

/// <summary>
/// The one place where a verb's failure becomes a message and an exit code, so every verb, present and future, ends
/// the same way: <c>scouter: error: …</c> and 1, or 2 for a command line that cannot run as written, or 130 after
/// Ctrl+C. No stack trace unless <c>--verbose</c>; an exception that only a bug in scouter can cause says so.
/// </summary>
internal static partial class ErrorBoundary
{
    /// <summary>Exit code of a run that failed.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of a command line that cannot run as written (argparse's).</summary>
    public const int Usage = 2;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT).</summary>
    public const int Cancelled = 130;

    // Library option names as the library's validators spell them, and the flags that set them.
    private static readonly Dictionary<string, string> OptionFlags = new(StringComparer.Ordinal)
    {
        ["TrainingOptions.Epochs"] = "--epochs",
        ["TrainingOptions.LrDrop"] = "--lr_drop",
        ["TrainingOptions.BatchSize"] = "--batch_size",
        ["TrainingOptions.WorldSize"] = "--world_size",
        ["TrainingOptions.LearningRate"] = "--lr",
        ["TrainingOptions.WeightDecay"] = "--weight_decay",
        ["TrainingOptions.DatasetName"] = "--dataset",
        ["TrainingOptions.Device"] = "--device",
        ["TrainingOptions.Devices"] = "--devices",
        ["ClassifierHeadOptions.NumClasses"] = "--num_classes",
        ["ClassifierHeadOptions.Channels"] = "--channel",
        ["ClassifierHeadOptions.HiddenDim"] = "--hidden_dim",
        ["ClassifierHeadOptions.SlotsPerClass"] = "--slots_per_class",
        ["ClassifierHeadOptions.ToKLayers"] = "--to_k_layer",
        ["ClassifierHeadOptions.Polarity"] = "--loss_status",
        ["ScouterLossOptions.Lambda"] = "--lambda_value",
        ["ScouterLossOptions.Power"] = "--power",
    };

    /// <summary>Prints what went wrong and returns the exit code.</summary>
    /// <param name="error">What the verb threw.</param>
    /// <param name="console">Where to print.</param>
    /// <param name="verbose">Print the stack trace too (<c>--verbose</c>).</param>
    /// <param name="cancelled">What to say after Ctrl+C when the verb did not say it itself (<see cref="RunCancelledException"/>).</param>
    public static int Report(Exception error, IAnsiConsole console, bool verbose, string cancelled = "Cancelled.")
    {
        var e = Unwrap(error);
        if (e is OperationCanceledException)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(e is RunCancelledException ? e.Message : cancelled)}[/]");
            return Cancelled;
        }

        var (code, message, bug) = Classify(e);
        console.MarkupLine($"[red]scouter: error:[/] {Markup.Escape(message)}");
        if (verbose)
        {
            console.WriteLine(error.ToString());
        }
        else if (bug)
        {
            console.MarkupLine("[grey]Run the same command with --verbose for the stack trace, and please report it.[/]");
        }

        return code;
    }

    /// <summary>Whether <c>--verbose</c> is on, read from the raw arguments (the error may be in parsing them).</summary>
    /// <param name="args">The command line after the program name.</param>
    public static bool IsVerbose(IReadOnlyList<string> args)
    {
        var verbose = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--verbose")
            {
                verbose = i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || FlagValues.ParseBoolean(args[i + 1]) == true;
            }
            else if (args[i].StartsWith("--verbose=", StringComparison.Ordinal))
            {
                verbose = FlagValues.ParseBoolean(args[i]["--verbose=".Length..]) == true;
            }
        }

        return verbose;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                case TypeInitializationException { InnerException: { } inner }:
                    e = inner;
                    break;
                default:
                    return e;
            }
        }
    }

    private static (int Code, string Message, bool Bug) Classify(Exception e) => e switch
    {
        UsageException => (Usage, e.Message, false),
        OptionsValidationException options => (Usage, NameFlags(string.Join(" ", options.Failures)), false),
        CliException => (Failed, e.Message, false),
        // Using what our code disposed, or a null it let through, is a bug whatever the input was.
        ObjectDisposedException or NullReferenceException => Bug(e),
        // Library checks of values that came from flags (or a checkpoint's saved flags).
        ArgumentOutOfRangeException argument => (Usage, NameFlags(WithoutParameterName(argument)), false),
        ArgumentException argument => (Failed, NameFlags(WithoutParameterName(argument)), false),
        IOException or UnauthorizedAccessException or InvalidDataException or JsonException or FormatException
            or InvalidOperationException or NotSupportedException => (Failed, e.Message, false),
        OverflowException => (Failed, $"a size or count is too large for this machine's arithmetic ({e.Message}); check the sizes given and the files read.", false),
        OutOfMemoryException or InsufficientMemoryException => (Failed, $"out of memory ({e.Message}); lower --batch_size or --img_size, or close other programs.", false),
        // LibTorch errors carry a C++ backtrace after their first line.
        ExternalException => (Failed, $"LibTorch: {e.Message.Split('\n')[0].Trim()}", false),
        _ => Bug(e),
    };

    private static (int Code, string Message, bool Bug) Bug(Exception e) =>
        (Failed, $"internal error, a bug in scouter: {e.GetType().Name}: {e.Message}", true);

    // The runtime appends "(Parameter 'X')" and, for a value out of range, "Actual value was Y.": names of our code, not the user's.
    private static string WithoutParameterName(ArgumentException e)
    {
        var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
        return string.Join(" ", message.Split('\n').Where(line => !line.StartsWith("Actual value was", StringComparison.Ordinal)).Select(line => line.Trim()));
    }

    private static string NameFlags(string message) =>
        OptionName().Replace(message, match => OptionFlags.TryGetValue(match.Value, out var flag) ? flag : match.Value);

    [GeneratedRegex("\\b[A-Z][A-Za-z]*Options\\.[A-Za-z]+\\b")]
    private static partial Regex OptionName();
}
