using Spectre.Console;

namespace Scouter.Cli.Tests;

/// <summary>The one place where failures become messages and exit codes.</summary>
public sealed class ErrorBoundaryTests
{
    private static (int Code, string Text) Report(Exception error, bool verbose = false)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 300;
        var code = ErrorBoundary.Report(error, console, verbose);
        return (code, writer.ToString());
    }

    private static Exception Thrown(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }

    [Fact]
    public void ABug_SaysItIsOne_WithoutAStackTrace_AndVerboseAddsIt()
    {
        var bug = Thrown(new NullReferenceException("Object reference not set to an instance of an object."));

        var (code, text) = Report(bug);
        code.Should().Be(1);
        text.Should().Contain("scouter: error: internal error, a bug in scouter: NullReferenceException").And.Contain("--verbose").And.NotContain("   at ");

        var (verboseCode, verboseText) = Report(bug, verbose: true);
        verboseCode.Should().Be(1);
        verboseText.Should().Contain("   at Scouter.Cli.Tests.ErrorBoundaryTests.Thrown");
    }

    [Theory]
    [InlineData(typeof(IOException), 1)]
    [InlineData(typeof(UnauthorizedAccessException), 1)]
    [InlineData(typeof(OverflowException), 1)]
    [InlineData(typeof(OutOfMemoryException), 1)]
    [InlineData(typeof(System.Runtime.InteropServices.ExternalException), 1)]
    [InlineData(typeof(ArgumentOutOfRangeException), 2)]
    [InlineData(typeof(Arguments.UsageException), 2)]
    public void EveryKindOfFailure_HasItsExitCode_AndNoneIsCalledABug(Type type, int expected)
    {
        var error = (Exception)Activator.CreateInstance(type, "what went wrong")!;
        var (code, text) = Report(error);
        code.Should().Be(expected, text);
        text.Should().StartWith("scouter: error:").And.NotContain("bug");
    }

    [Fact]
    public void NativeErrors_KeepTheirFirstLine_WrappedErrorsAreUnwrapped_AndCancellationIs130()
    {
        var native = new System.Runtime.InteropServices.ExternalException("DefaultCPUAllocator: not enough memory: you tried to allocate 640 GB.\nException raised from allocate at …\nframe #0: c10::Error");
        Report(native).Text.Should().Contain("LibTorch: DefaultCPUAllocator: not enough memory: you tried to allocate 640 GB.").And.NotContain("frame #0");

        Report(new AggregateException(new IOException("disk full"))).Text.Should().Contain("scouter: error: disk full");

        var (code, text) = Report(new RunCancelledException("Cancelled during epoch 2; the checkpoint of epoch 1 is intact."));
        code.Should().Be(130);
        text.Should().Contain("Cancelled during epoch 2").And.NotContain("error");
    }

    [Fact]
    public void LibraryOptionNames_BecomeTheFlagsThatSetThem()
    {
        var failure = new Microsoft.Extensions.Options.OptionsValidationException("TrainingOptions", typeof(Scouter.Core.Training.TrainingOptions),
            ["TrainingOptions.BatchSize must be at least 1; got 0.", "ClassifierHeadOptions.HiddenDim must be an even number of at least 2; got 3.", "ScouterLossOptions.Lambda must be a finite number >= 0; got -1."]);
        var (code, text) = Report(failure);
        code.Should().Be(2);
        text.Should().Contain("--batch_size must be at least 1; got 0. --hidden_dim must be an even number").And.Contain("--lambda_value must be a finite number >= 0; got -1.").And.NotContain("Options.");

        var argument = new ArgumentOutOfRangeException("ImageSize", 8, "Synthetic images must be at least 16 pixels wide.");
        Report(argument).Text.Should().Contain("Synthetic images must be at least 16 pixels wide.").And.NotContain("Parameter").And.NotContain("Actual value");
    }
}
