using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scouter.Cli.Tests;

/// <summary>Runs the CLI built next to the tests (<c>scouter.dll</c>) as a real child process: its exit code is the process's own.</summary>
public static class CliProcess
{
    /// <summary>Starts the CLI; both pipes are drained into <paramref name="output"/> so a full buffer never blocks it.</summary>
    public static Process Start(IEnumerable<string> args, ConcurrentQueue<string> output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scouter.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the scouter child process.");
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs the CLI to its end (at most three minutes) and returns its exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new ConcurrentQueue<string>();
        using var process = Start(args, output);
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("scouter did not finish within three minutes:\n" + string.Join("\n", output));
        }

        process.WaitForExit(); // flushes the redirected pipes
        return (process.ExitCode, string.Join("\n", output));
    }
}
