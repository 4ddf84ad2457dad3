using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scouter.Core.DependencyInjection;
using Scouter.Core.Modules;
using Scouter.Core.Options;

namespace Scouter.Core.Tests;

public sealed class ScouterServiceCollectionExtensionsTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void AddScouter_WithActions_ConfiguresTheFactorysHeadAndLoss()
    {
        using var provider = new ServiceCollection()
            .AddScouter(head => { head.Channels = 6; head.HiddenDim = 8; head.NumClasses = 3; head.SlotsPerClass = 2; }, loss => loss.Lambda = 3)
            .BuildServiceProvider();

        var factory = provider.GetRequiredService<IScouterFactory>();
        using var head = factory.CreateHead();
        using var loss = factory.CreateLoss();

        head.Should().BeOfType<XSlotClassifier>();
        ((XSlotClassifier)head).SlotsPerClass.Should().Be(2);
        head.Channels.Should().Be(6);
        head.NumClasses.Should().Be(3);
        (loss.Lambda, loss.Power).Should().Be((3.0, 2.0), "power keeps the official default");
    }

    [Fact]
    public void AddScouter_WithoutALossAction_GivesTheOfficialLoss()
    {
        using var provider = new ServiceCollection().AddScouter(head => head.NumClasses = 3).BuildServiceProvider();

        using var loss = provider.GetRequiredService<IScouterFactory>().CreateLoss();

        (loss.Lambda, loss.Power).Should().Be((1.0, 2.0));
    }

    [Fact]
    public void AddScouter_WithConfiguration_BindsTheHeadAndLossSections()
    {
        var configuration = Configuration(new()
        {
            ["Scouter:Head:NumClasses"] = "25",
            ["Scouter:Head:Channels"] = "2048",
            ["Scouter:Head:Polarity"] = "-1",
            ["Scouter:Head:UseSlot"] = "false",
            ["Scouter:Loss:Lambda"] = ".2",
            ["Scouter:Loss:Power"] = "1.5",
            ["Scouter:Training:Epochs"] = "7",   // another section under "Scouter", not AddScouter's
        });

        using var provider = new ServiceCollection().AddScouter(configuration).BuildServiceProvider();

        var head = provider.GetRequiredService<IOptions<ClassifierHeadOptions>>().Value;
        var loss = provider.GetRequiredService<IOptions<ScouterLossOptions>>().Value;
        (head.NumClasses, head.Channels, head.Polarity, head.UseSlot).Should().Be((25, 2048, ScouterPolarity.Negative, false));
        (loss.Lambda, loss.Power).Should().Be((0.2, 1.5));

        var factory = provider.GetRequiredService<IScouterFactory>();
        using var created = factory.CreateHead();
        created.Should().BeOfType<FcClassifierHead>();
        using var scouterLoss = factory.CreateLoss();
        scouterLoss.Lambda.Should().Be(0.2);
    }

    [Fact]
    public void AddScouter_WithConfiguration_PolarityBindsByName()
    {
        using var provider = new ServiceCollection()
            .AddScouter(Configuration(new() { ["Scouter:Head:Polarity"] = "Negative" }))
            .BuildServiceProvider();

        provider.GetRequiredService<IOptions<ClassifierHeadOptions>>().Value.Polarity.Should().Be(ScouterPolarity.Negative);
    }

    [Fact]
    public void AddScouter_WithConfiguration_AnUnknownKeyFailsOnFirstRead()
    {
        using var provider = new ServiceCollection()
            .AddScouter(Configuration(new() { ["Scouter:Loss:LambdaValue"] = "0.2" }))
            .BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<ScouterLossOptions>>().Value;

        act.Should().Throw<InvalidOperationException>().WithMessage("*LambdaValue*");
    }

    [Fact]
    public void AddScouter_WithOptionsDirectlyUnderScouter_SaysWhereEachBelongs()
    {
        var configuration = Configuration(new() { ["Scouter:NumClasses"] = "25", ["Scouter:LambdaValue"] = "0.2" });

        var act = () => new ServiceCollection().AddScouter(configuration);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("\"Scouter:NumClasses\" goes to \"Scouter:Head:NumClasses\"")
            .And.Contain("\"Scouter:LambdaValue\" goes to \"Scouter:Loss:Lambda\"");
    }

    [Fact]
    public void AddScouter_GivenTheScouterSectionItself_AsksForTheConfigurationHoldingIt()
    {
        var configuration = Configuration(new() { ["Scouter:Head:NumClasses"] = "25" });

        var act = () => new ServiceCollection().AddScouter(configuration.GetSection("Scouter"));

        act.Should().Throw<ArgumentException>().WithMessage("*given the section \"Scouter\" itself*");
    }

    [Fact]
    public void AddScouter_InvalidValues_FailOnFirstUseNamingTheOption()
    {
        using var provider = new ServiceCollection()
            .AddScouter(head => head.SlotsPerClass = 0)
            .BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<ClassifierHeadOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*ClassifierHeadOptions.SlotsPerClass must be at least 1; got 0*");
    }

    [Fact]
    public void AddScouter_InvalidLoss_FailsOnStartValidationNamingLambda()
    {
        using var provider = new ServiceCollection()
            .AddScouter(_ => { }, loss => loss.Lambda = -1)
            .BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage("*ScouterLossOptions.Lambda must be a finite number >= 0*");
    }
}
