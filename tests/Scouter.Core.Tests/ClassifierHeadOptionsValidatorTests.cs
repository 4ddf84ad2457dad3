using Scouter.Core.Options;

namespace Scouter.Core.Tests;

public sealed class ClassifierHeadOptionsValidatorTests
{
    private static IEnumerable<string> Failures(Action<ClassifierHeadOptions> change)
    {
        var options = new ClassifierHeadOptions();
        change(options);
        var result = new ClassifierHeadOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures! : [];
    }

    [Fact]
    public void Defaults_AreTheOfficialFlagsAndValid()
    {
        var options = new ClassifierHeadOptions();

        options.NumClasses.Should().Be(10);
        options.Channels.Should().Be(512);
        options.HiddenDim.Should().Be(64);
        options.SlotsPerClass.Should().Be(3);
        options.ToKLayers.Should().Be(1);
        options.Iterations.Should().Be(3);
        options.Polarity.Should().Be(ScouterPolarity.Positive);
        options.UseSlot.Should().BeTrue();
        Failures(_ => { }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("slots", "ClassifierHeadOptions.SlotsPerClass must be at least 1; got 0")]
    [InlineData("polarity", "ClassifierHeadOptions.Polarity (loss_status) must be Positive (1) or Negative (-1); got 0")]
    [InlineData("hidden", "ClassifierHeadOptions.HiddenDim must be an even number of at least 2")]
    [InlineData("tok", "ClassifierHeadOptions.ToKLayers must be at least 1; got 0")]
    [InlineData("classes", "ClassifierHeadOptions.NumClasses must be at least 1; got 0")]
    [InlineData("channels", "ClassifierHeadOptions.Channels must be at least 1; got -3")]
    [InlineData("iterations", "ClassifierHeadOptions.Iterations must be at least 1; got 0")]
    public void Validate_NamesTheOptionTheRangeAndTheValue(string which, string message)
    {
        var failures = Failures(o =>
        {
            switch (which)
            {
                case "slots": o.SlotsPerClass = 0; break;
                case "polarity": o.Polarity = 0; break;
                case "hidden": o.HiddenDim = 63; break;
                case "tok": o.ToKLayers = 0; break;
                case "classes": o.NumClasses = 0; break;
                case "channels": o.Channels = -3; break;
                case "iterations": o.Iterations = 0; break;
            }
        });

        failures.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void Validate_ReportsEveryInvalidValueAtOnce()
    {
        Failures(o => { o.SlotsPerClass = 0; o.ToKLayers = 0; o.HiddenDim = 5; }).Should().HaveCount(3);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var options = new ClassifierHeadOptions { NumClasses = 3 };
        var copy = options.Clone();
        options.NumClasses = 5;
        copy.NumClasses.Should().Be(3);
    }
}
