using System.Diagnostics;
using System.Text.Json;

namespace Scouter.Cli.Tests;

/// <summary>
/// The <c>TorchBackend</c> build property (Directory.Build.props) picks the TorchSharp backend package of the
/// repository's applications. Checked by MSBuild evaluation alone, without a restore, so the CUDA packages need not be
/// downloadable here.
/// </summary>
public sealed class TorchBackendTests
{
    private static readonly string Repository = FindRepository();

    [Theory]
    [InlineData(null, "TorchSharp-cpu")]
    [InlineData("cpu", "TorchSharp-cpu")]
    [InlineData("cuda-linux", "TorchSharp-cuda-linux")]
    [InlineData("cuda-windows", "TorchSharp-cuda-windows")]
    public void TorchBackend_SelectsExactlyOneBackendPackage(string? backend, string package)
    {
        foreach (var project in new[] { "samples/Scouter.Cli/Scouter.Cli.csproj", "samples/HeadSwap/HeadSwap.csproj" })
        {
            var (code, output) = MsBuild(project, backend, "-getItem:PackageReference", "-getItem:PackageVersion");
            code.Should().Be(0, output);
            using var json = JsonDocument.Parse(output);
            var items = json.RootElement.GetProperty("Items");
            var backends = items.GetProperty("PackageReference").EnumerateArray()
                .Select(i => i.GetProperty("Identity").GetString()!)
                .Where(id => id.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase))
                .ToList();
            backends.Should().Equal([package], "{0} with TorchBackend={1} references one backend", project, backend ?? "(default)");
            items.GetProperty("PackageVersion").EnumerateArray()
                .Single(i => i.GetProperty("Identity").GetString() == package).GetProperty("Version").GetString()
                .Should().Be("0.107.0", "the backend's version matches TorchSharp's");
        }
    }

    [Fact]
    public void TorchBackend_Unknown_FailsNamingTheChoices()
    {
        var (code, output) = MsBuild("samples/Scouter.Cli/Scouter.Cli.csproj", "rocm", "-t:CheckTorchBackend");
        code.Should().NotBe(0);
        output.Should().Contain("SCOUTER0002").And.Contain("TorchBackend 'rocm' is not one of: cpu, cuda-linux, cuda-windows");
    }

    private static (int Code, string Output) MsBuild(string project, string? backend, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository };
        foreach (var argument in new[] { "msbuild", Path.Combine(Repository, project), "-nologo" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        if (backend is not null)
        {
            start.ArgumentList.Add($"-p:TorchBackend={backend}");
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")) && Directory.Exists(Path.Combine(directory.FullName, "samples")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");
    }
}
