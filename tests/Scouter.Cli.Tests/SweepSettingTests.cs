using Scouter.Cli.Arguments;

namespace Scouter.Cli.Tests;

public sealed class SweepSettingTests
{
    [Fact]
    public void Expand_GivesEveryCombinationTimesTheRepetitions()
    {
        var args = ArgumentParser.Parse(["train", "--num_classes", "10,20", "--lambda_value", "1,.2", "--power", "2", "--slots_per_class", "1,3", "--iterated_evaluation_num", "2"]);

        var settings = SweepSetting.Expand(args);

        settings.Should().HaveCount(2 * 2 * 1 * 2 * 2);
        settings[0].Should().Be(new SweepSetting(10, 1, 2, 1, 0));
        settings[1].Should().Be(new SweepSetting(10, 1, 2, 1, 1));
        settings[^1].Should().Be(new SweepSetting(20, 0.2, 2, 3, 1));
    }

    [Fact]
    public void ASingleValue_IsOneRun()
    {
        SweepSetting.Expand(ArgumentParser.Parse(["train"])).Should().ContainSingle()
            .Which.Should().Be(new SweepSetting(10, 1, 2, 3, 0));
    }

    [Fact]
    public void AsFlags_RoundTripsThroughTheParser()
    {
        var setting = new SweepSetting(25, 0.2, 1.5, 5, 0);
        var args = ArgumentParser.Parse(["train"]).With(setting.AsFlags());
        SweepSetting.Expand(args).Should().ContainSingle().Which.Should().Be(setting);
    }

    [Fact]
    public void ZeroRepetitions_AreRefused()
    {
        var act = () => SweepSetting.Expand(ArgumentParser.Parse(["train", "--iterated_evaluation_num", "0"]));
        act.Should().Throw<UsageException>().WithMessage("--iterated_evaluation_num: 0 is too small; the smallest allowed value is 1.");
    }
}
