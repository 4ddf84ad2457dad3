using Spectre.Console;

namespace Scouter.Cli.Tests;

/// <summary>Runs the CLI in-process with a captured, non-interactive console.</summary>
public static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs the CLI with a cancellation token standing for Ctrl+C.</summary>
    public static (int ExitCode, string Output) Run(CancellationToken cancellation, params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        var code = CliApp.Run(args, console, cancellation);
        return (code, writer.ToString());
    }

    /// <summary>A seed command line (after "python x.py") split into arguments, with overrides appended (argparse: last wins).</summary>
    public static string[] Command(string verb, string seedFlags, params string[] overrides) =>
        [verb, .. seedFlags.Split([' ', '\\', '\n'], StringSplitOptions.RemoveEmptyEntries), .. overrides];
}
