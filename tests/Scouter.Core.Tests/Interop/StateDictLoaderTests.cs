using Scouter.Core.Interop;
using Scouter.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

public sealed class StateDictLoaderTests
{
    private static nn.Module<Tensor, Tensor> Net() =>
        nn.Sequential(("conv1", nn.Conv2d(3, 4, 3)), ("bn1", nn.BatchNorm2d(4)), ("fc", nn.Linear(4, 2)));

    /// <summary>A state dict matching <see cref="Net"/> with distinct, recognisable values (entry i is filled with i + 1).</summary>
    private static StateDict Matching()
    {
        using var net = Net();
        var result = new StateDict();
        var i = 0;
        foreach (var (name, tensor) in net.state_dict())
        {
            result.Add(name, full_like(tensor, ++i).DetachFromDisposeScope());
        }

        return result;
    }

    [Fact]
    public void Load_CopiesParametersAndBuffers()
    {
        using var net = Net();
        using var source = Matching();

        var report = StateDictLoader.Load(net, source);

        report.IsComplete.Should().BeTrue();
        report.Loaded.Should().HaveCount(9);
        foreach (var (name, tensor) in net.state_dict())
        {
            TensorAssert.Close(tensor.to(ScalarType.Float64), source[name].to(ScalarType.Float64), 0, 0, name);
        }

        net.state_dict()["bn1.num_batches_tracked"].item<long>().Should().Be(9, "buffers, the step counter included, are loaded");
    }

    [Fact]
    public void Load_ReportsEveryMismatchedKeyInOneMessage()
    {
        using var net = Net();
        using var source = Matching();
        source.Remove("bn1.running_mean", out var removed);
        removed!.Dispose();
        source.Add("head.weight", zeros(2));
        source.Remove("conv1.weight", out var conv);
        conv!.Dispose();
        source.Add("conv1.weight", zeros(4, 1, 2, 2));
        source.Remove("fc.bias", out var bias);
        bias!.Dispose();
        source.Add("fc.bias", zeros(2, dtype: ScalarType.Float64));

        var act = () => StateDictLoader.Load(net, source);

        var error = act.Should().Throw<StateDictMismatchException>().Which;
        error.Message.Should().ContainAll(
            "nothing was copied",
            "1 missing", "1 unexpected", "2 mismatched",
            "bn1.running_mean",
            "head.weight",
            "conv1.weight: expected [4, 3, 3, 3], found [4, 1, 2, 2]",
            "fc.bias: expected dtype Float32, found Float64");
        error.Report.Missing.Should().Equal("bn1.running_mean");
        error.Report.Unexpected.Should().Equal("head.weight");
        error.Report.Mismatched.Select(m => m.Key).Should().BeEquivalentTo("conv1.weight", "fc.bias");
        net.state_dict()["bn1.weight"].sum().item<float>().Should().Be(4, "a failed strict load copies nothing (BatchNorm's weight is still ones)");
    }

    [Fact]
    public void Load_RejectsABroadcastableShapeInsteadOfCopyingIt()
    {
        using var net = Net();
        using var source = Matching();
        source.Remove("fc.bias", out var bias);
        bias!.Dispose();
        source.Add("fc.bias", ones(1));

        var act = () => StateDictLoader.Load(net, source);

        act.Should().Throw<StateDictMismatchException>().WithMessage("*fc.bias: expected [2], found [1]*");
    }

    [Fact]
    public void Load_NonStrictCopiesWhatMatchesAndReportsTheRest()
    {
        using var net = Net();
        using var source = Matching();
        source.Remove("fc.weight", out var weight);
        weight!.Dispose();
        source.Add("fc.weight", zeros(3, 4));
        source.Add("extra", zeros(1));

        var report = StateDictLoader.Load(net, source, new StateDictLoadOptions { Strict = false });

        report.IsComplete.Should().BeFalse();
        report.Mismatched.Should().ContainSingle().Which.ToString().Should().Be("fc.weight: expected [2, 4], found [3, 4]");
        report.Unexpected.Should().Equal("extra");
        report.Loaded.Should().HaveCount(8).And.NotContain("fc.weight");
        net.state_dict()["fc.bias"].sum().item<float>().Should().Be(2 * source["fc.bias"][0].item<float>());
        report.ToString().Should().Contain("8 loaded, 0 missing, 1 unexpected, 1 mismatched");
    }

    [Fact]
    public void Load_AppliesKeyTransformsAndReportsDroppedKeys()
    {
        using var net = Net();
        using var matching = Matching();
        using var source = new StateDict();
        foreach (var (name, tensor) in matching)
        {
            source.Add("module." + name, tensor.clone());
        }

        source.Add("module.classifier.weight", zeros(1));

        var report = StateDictLoader.Load(net, source, new StateDictLoadOptions
        {
            KeyTransforms = { StateDictKeyTransforms.DropPrefix("module.classifier."), StateDictKeyTransforms.StripPrefix("module.") },
        });

        report.IsComplete.Should().BeTrue();
        report.Dropped.Should().Equal("module.classifier.weight");
    }

    [Fact]
    public void Load_HintsAtAPrefixThatExplainsTheDifference()
    {
        using var net = Net();
        using var matching = Matching();
        using var source = new StateDict();
        foreach (var (name, tensor) in matching)
        {
            source.Add("module." + name, tensor.clone());
        }

        var act = () => StateDictLoader.Load(net, source);

        act.Should().Throw<StateDictMismatchException>().WithMessage("*Hint: 9 state-dict keys carry an extra prefix 'module.'; add StateDictKeyTransforms.StripPrefix(\"module.\")*");
    }

    [Fact]
    public void Load_RefusesTwoKeysThatBecomeOne()
    {
        using var net = Net();
        using var a = zeros(2);
        using var b = zeros(2);
        var act = () => StateDictLoader.Load(net, new Dictionary<string, Tensor> { ["a.fc.bias"] = a, ["b.fc.bias"] = b },
            new StateDictLoadOptions { KeyTransforms = { key => key[2..] } });
        act.Should().Throw<ArgumentException>().WithMessage("*'a.fc.bias' and 'b.fc.bias' both become 'fc.bias'*");
    }

    [Fact]
    public void Load_ConvertsFloatingPointPrecisionOnlyWhenAllowed()
    {
        using var net = nn.Linear(2, 1);
        using var weight = tensor(new double[] { 0.5, -1 }).reshape(1, 2);
        using var bias = tensor(new double[] { 0.25 });
        var source = new Dictionary<string, Tensor> { ["weight"] = weight, ["bias"] = bias };

        FluentActions.Invoking(() => StateDictLoader.Load(net, source)).Should().Throw<StateDictMismatchException>().WithMessage("*expected dtype Float32, found Float64*");

        StateDictLoader.Load(net, source, new StateDictLoadOptions { AllowFloatingPointConversion = true }).IsComplete.Should().BeTrue();
        net.state_dict()["weight"].data<float>().ToArray().Should().Equal(0.5f, -1f);
    }
}
