using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scouter.Core.DependencyInjection;
using Scouter.Core.Modules;
using Scouter.Core.Options;

namespace Scouter.Core.Tests;

public sealed class ScouterServiceCollectionExtensionsTests
{
    [Fact]
    public void AddScouter_WithAnAction_ConfiguresTheFactory()
    {
        using var provider = new ServiceCollection()
            .AddScouter(o => { o.Channels = 6; o.HiddenDim = 8; o.NumClasses = 3; o.SlotsPerClass = 2; })
            .BuildServiceProvider();

        var factory = provider.GetRequiredService<IScouterFactory>();
        using var head = factory.CreateHead();

        head.Should().BeOfType<XSlotClassifier>();
        ((XSlotClassifier)head).SlotsPerClass.Should().Be(2);
        head.Channels.Should().Be(6);
        head.NumClasses.Should().Be(3);
    }

    [Fact]
    public void AddScouter_WithConfiguration_BindsOfficialValues()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scouter:NumClasses"] = "25",
            ["Scouter:Channels"] = "2048",
            ["Scouter:Polarity"] = "-1",
            ["Scouter:LambdaValue"] = ".2",
            ["Scouter:UseSlot"] = "false",
        }).Build();

        using var provider = new ServiceCollection()
            .AddScouter(configuration.GetSection(ScouterOptions.SectionName))
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ScouterOptions>>().Value;
        options.NumClasses.Should().Be(25);
        options.Channels.Should().Be(2048);
        options.Polarity.Should().Be(ScouterPolarity.Negative);
        options.LambdaValue.Should().Be(0.2);

        using var head = provider.GetRequiredService<IScouterFactory>().CreateHead();
        head.Should().BeOfType<FcClassifierHead>();
    }

    [Fact]
    public void AddScouter_InvalidValues_FailOnFirstUseNamingTheOption()
    {
        using var provider = new ServiceCollection()
            .AddScouter(o => o.SlotsPerClass = 0)
            .BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<ScouterOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*SlotsPerClass must be at least 1; got 0*");
    }

    [Fact]
    public void AddScouter_InvalidValues_FailOnStartValidation()
    {
        using var provider = new ServiceCollection()
            .AddScouter(o => o.Power = 0)
            .BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage("*Power*");
    }
}
