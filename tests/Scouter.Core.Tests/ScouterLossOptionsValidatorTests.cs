using Scouter.Core.Options;

namespace Scouter.Core.Tests;

public sealed class ScouterLossOptionsValidatorTests
{
    private static IEnumerable<string> Failures(Action<ScouterLossOptions> change)
    {
        var options = new ScouterLossOptions();
        change(options);
        var result = new ScouterLossOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures! : [];
    }

    [Fact]
    public void Defaults_AreTheOfficialFlagsAndValid()
    {
        var options = new ScouterLossOptions();

        options.Lambda.Should().Be(1.0, "--lambda_value defaults to 1");
        options.Power.Should().Be(2.0, "--power defaults to 2");
        Failures(_ => { }).Should().BeEmpty();
    }

    [Theory]
    [InlineData(-0.5, 2.0, "ScouterLossOptions.Lambda must be a finite number >= 0; got -0.5")]
    [InlineData(double.NaN, 2.0, "ScouterLossOptions.Lambda must be a finite number >= 0; got NaN")]
    [InlineData(1.0, -1.0, "ScouterLossOptions.Power must be a finite number > 0; got -1")]
    [InlineData(1.0, 0.0, "ScouterLossOptions.Power must be a finite number > 0; got 0")]
    public void Validate_NamesTheOptionTheRangeAndTheValue(double lambda, double power, string message)
    {
        Failures(o => { o.Lambda = lambda; o.Power = power; }).Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void Validate_ReportsEveryInvalidValueAtOnce()
    {
        Failures(o => { o.Lambda = -1; o.Power = 0; }).Should().HaveCount(2);
    }

    [Fact]
    public void Lambda_Zero_IsTheNllAlone()
    {
        Failures(o => o.Lambda = 0).Should().BeEmpty();
    }
}
