using Scouter.Core.Options;

namespace Scouter.Core.Tests;

public sealed class ScouterOptionsValidatorTests
{
    private static IEnumerable<string> Failures(Action<ScouterOptions> change)
    {
        var options = new ScouterOptions();
        change(options);
        var result = new ScouterOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures! : [];
    }

    [Fact]
    public void Defaults_AreTheOfficialFlagsAndValid()
    {
        var options = new ScouterOptions();

        options.NumClasses.Should().Be(10);
        options.Channels.Should().Be(512);
        options.HiddenDim.Should().Be(64);
        options.SlotsPerClass.Should().Be(3);
        options.ToKLayers.Should().Be(1);
        options.Iterations.Should().Be(3);
        options.Polarity.Should().Be(ScouterPolarity.Positive);
        options.LambdaValue.Should().Be(1.0);
        options.Power.Should().Be(2.0);
        options.UseSlot.Should().BeTrue();
        Failures(_ => { }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("slots", "SlotsPerClass must be at least 1; got 0")]
    [InlineData("power", "Power must be a finite number > 0; got -1")]
    [InlineData("lambda", "LambdaValue must be a finite number >= 0; got -0.5")]
    [InlineData("polarity", "Polarity (loss_status) must be Positive (1) or Negative (-1); got 0")]
    [InlineData("hidden", "HiddenDim must be an even number of at least 2")]
    [InlineData("tok", "ToKLayers must be at least 1; got 0")]
    [InlineData("classes", "NumClasses must be at least 1; got 0")]
    [InlineData("channels", "Channels must be at least 1; got -3")]
    [InlineData("iterations", "Iterations must be at least 1; got 0")]
    [InlineData("nan", "LambdaValue must be a finite number >= 0; got NaN")]
    public void Validate_NamesTheOptionTheRangeAndTheValue(string which, string message)
    {
        var failures = Failures(o =>
        {
            switch (which)
            {
                case "slots": o.SlotsPerClass = 0; break;
                case "power": o.Power = -1; break;
                case "lambda": o.LambdaValue = -0.5; break;
                case "polarity": o.Polarity = 0; break;
                case "hidden": o.HiddenDim = 63; break;
                case "tok": o.ToKLayers = 0; break;
                case "classes": o.NumClasses = 0; break;
                case "channels": o.Channels = -3; break;
                case "iterations": o.Iterations = 0; break;
                case "nan": o.LambdaValue = double.NaN; break;
            }
        });

        failures.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void Validate_ReportsEveryInvalidValueAtOnce()
    {
        Failures(o => { o.SlotsPerClass = 0; o.Power = 0; o.HiddenDim = 5; }).Should().HaveCount(3);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var options = new ScouterOptions { NumClasses = 3 };
        var copy = options.Clone();
        options.NumClasses = 5;
        copy.NumClasses.Should().Be(3);
    }
}
