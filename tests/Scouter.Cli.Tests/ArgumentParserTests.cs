using Scouter.Cli.Arguments;

namespace Scouter.Cli.Tests;

public sealed class ArgumentParserTests
{
    private static ParsedArguments Parse(string line) => ArgumentParser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void SeedCommand_ParsesWithOfficialNamesAndSyntax()
    {
        // The seed's negative SCOUTER MNIST command with "python train.py" replaced by "scouter train".
        var args = Parse("train --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 --num_classes 10 --use_slot true --use_pre false --loss_status -1 --slots_per_class 2 --power 2 --to_k_layer 1 --lambda_value 1.5 --vis false --channel 512 --aug false --freeze_layers 3");

        args.Verb.Should().Be("train");
        args.Text("dataset").Should().Be("MNIST");
        args.Integer("loss_status").Should().Be(-1);
        args.IntegerList("slots_per_class").Should().Equal(2);
        args.NumberList("lambda_value").Should().Equal(1.5);
        args.Boolean("use_slot").Should().BeTrue();
        args.Boolean("use_pre").Should().BeFalse();
        args.Integer("freeze_layers").Should().Be(3);
    }

    [Theory]
    [InlineData(".2", 0.2)]
    [InlineData("1.", 1.0)]
    [InlineData("1e-4", 0.0001)]
    [InlineData("10", 10.0)]
    public void Numbers_AcceptPythonLiterals(string text, double expected)
    {
        Parse($"train --lr {text}").Number("lr").Should().Be(expected);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("Y", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("FALSE", false)]
    [InlineData("f", false)]
    [InlineData("n", false)]
    [InlineData("0", false)]
    public void Booleans_AcceptTheOfficialWords(string text, bool expected)
    {
        Parse($"train --aug {text}").Boolean("aug").Should().Be(expected);
    }

    [Fact]
    public void AFlagGivenTwice_KeepsTheLastValue()
    {
        Parse("train --epochs 3 --epochs 7").Integer("epochs").Should().Be(7);
    }

    [Fact]
    public void EqualsSyntaxAndUniquePrefixes_Work()
    {
        var args = Parse("train --epochs=4 --lambda .5 --lr_d 20");
        args.Integer("epochs").Should().Be(4);
        args.NumberList("lambda_value").Should().Equal(0.5);
        args.Integer("lr_drop").Should().Be(20);
    }

    [Fact]
    public void Defaults_AreTheOfficialOnes_AndMarkedAsNotExplicit()
    {
        var args = Parse("train");
        args.Integer("batch_size").Should().Be(64);
        args.Number("lr").Should().Be(1e-4);
        args.Integer("lr_drop").Should().Be(70);
        args.Integer("img_size").Should().Be(260);
        args.Boolean("pre_trained").Should().BeTrue();
        args.Integer("freeze_layers").Should().Be(2);
        args.IntegerList("slots_per_class").Should().Equal(3);
        args.IsExplicit("pre_trained").Should().BeFalse();
        Parse("train --pre_trained true").IsExplicit("pre_trained").Should().BeTrue();
    }

    [Theory]
    [InlineData("train --use_slot maybe", "--use_slot: 'maybe' is not a boolean*")]
    [InlineData("train --epochs ten", "--epochs: 'ten' is not an integer*")]
    [InlineData("train --lr fast", "--lr: 'fast' is not a number*")]
    [InlineData("train --lr nan", "--lr: 'nan' is not a number*")]
    [InlineData("train --num_classes 10,x", "--num_classes: '10,x' is not an integer or a comma list*")]
    [InlineData("train --lambda_valu 1 --foo 3", "Unknown flag --foo. Did you mean*")]
    [InlineData("train --slots_per_clas 1 --epoch", "--epochs needs a value*")]
    [InlineData("train --l 1", "Ambiguous flag --l: could be --lr, --lr_drop, --loss_status, --lambda_value, --local_rank*")]
    [InlineData("train epochs 3", "Unexpected argument 'epochs'*")]
    [InlineData("fit --epochs 3", "Unknown verb 'fit'*")]
    [InlineData("", "A verb is required*")]
    [InlineData("train --img_size 99999999999", "--img_size: 99999999999 is too large; the largest allowed value is 4096 (images are resized*")]
    [InlineData("train --img_size 0", "--img_size: 0 is too small; the smallest allowed value is 1.")]
    [InlineData("evaluate --max_images -5", "--max_images: -5 is too small; the smallest allowed value is 0.")]
    [InlineData("train --num_classes 10,1000000", "--num_classes: 1000000 is too large; the largest allowed value is 100000*")]
    [InlineData("train --seed 99999999999", "--seed: '99999999999' is not an integer in the range -2147483648 to 2147483647.")]
    [InlineData("train --slots_per_class 3,99999999999", "--slots_per_class: 99999999999 is too large*")]
    [InlineData("train --verbose maybe", "--verbose: 'maybe' is not a boolean*")]
    [InlineData("train --model resnet9", "--model: 'resnet9' is not one of resnet18, resnet34*resnest50d.")]
    [InlineData("train --dataset Foo", "--dataset: 'Foo' is not one of MNIST, ImageNet, ConText, CUB200, ImageFolder, Synthetic, SyntheticScenes.")]
    public void BadCommandLines_GetAClearMessage(string line, string message)
    {
        var act = () => Parse(line);
        act.Should().Throw<UsageException>().WithMessage(message);
    }

    [Fact]
    public void Verbose_StandsAloneOrTakesAValue()
    {
        Parse("train --verbose --epochs 2").Boolean("verbose").Should().BeTrue();
        Parse("train --epochs 2 --verbose").Boolean("verbose").Should().BeTrue();
        Parse("train --verbose false").Boolean("verbose").Should().BeFalse();
        Parse("train").Boolean("verbose").Should().BeFalse();
        ErrorBoundary.IsVerbose(["train", "--img_size", "x", "--verbose"]).Should().BeTrue("read even when the command line does not parse");
        ErrorBoundary.IsVerbose(["train", "--verbose=no"]).Should().BeFalse();
    }

    [Fact]
    public void EveryIntegerFlagOfTheTable_HasARangeOrTakesAnyInt()
    {
        // The flags without a range: any int is a valid value of theirs.
        string[] anyInt = ["seed", "local_rank"];
        foreach (var flag in FlagTable.All.Where(f => f.Kind is FlagKind.Integer or FlagKind.IntegerList && !anyInt.Contains(f.Name)))
        {
            FlagRanges.HasRange(flag.Name).Should().BeTrue($"--{flag.Name} needs a range, or a place in the list above");
        }
    }

    [Fact]
    public void UnknownFlag_SuggestsTheClosestName()
    {
        var act = () => Parse("train --lamda_value 1");
        act.Should().Throw<UsageException>().WithMessage("Unknown flag --lamda_value. Did you mean --lambda_value?*");
    }

    [Fact]
    public void Help_ListsEveryFlagWithItsDefault()
    {
        var help = HelpText.Build();
        foreach (var flag in FlagTable.All)
        {
            help.Should().Contain("--" + flag.Name);
            if (flag.Default is not null)
            {
                help.Should().Contain($"[{flag.Default}]");
            }
        }
    }
}
