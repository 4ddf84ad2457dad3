using Scouter.Core.Backbones;
using Scouter.Core.Compat;
using Scouter.Core.Tests.Support;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>
/// <see cref="ScalarSafeBatchNorm2d"/> computes what TorchSharp's <see cref="BatchNorm2d"/> computes, bit for bit,
/// with the same tensors and names, and frees the scalars of its batch counter.
/// </summary>
public sealed class ScalarSafeBatchNorm2dTests
{
    public static TheoryData<double?, bool, bool> Settings() => new()
    {
        { 0.1, true, true },
        { null, true, true }, // cumulative average: the factor is 1 / num_batches_tracked
        { 0.3, false, true },
        { 0.1, true, false }, // no running statistics: batch statistics in eval mode too
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void TrainAndEval_MatchTorchSharpsBatchNorm2d_BitForBit(double? momentum, bool affine, bool track)
    {
        using var reference = nn.BatchNorm2d(3, eps: 1e-3, momentum: momentum ?? 0.1, affine: affine, track_running_stats: track);
        reference.momentum = momentum; // TorchSharp's factory takes no null momentum; its property does
        using var ours = ScalarSafeBatchNorm2d.Create(3, eps: 1e-3, momentum: momentum, affine: affine, trackRunningStats: track);
        using var scope = NewDisposeScope();
        if (affine)
        {
            using var noGrad = no_grad();
            foreach (var module in new BatchNorm[] { reference, ours })
            {
                module.weight!.copy_(tensor(new[] { 0.5f, 2f, -1f }));
                module.bias!.copy_(tensor(new[] { 0.1f, 0f, 3f }));
            }
        }

        for (var step = 0; step < 3; step++)
        {
            manual_seed(step);
            var input = randn(4, 3, 5, 6) * (step + 1);
            TensorAssert.Identical(ours.call(input), reference.call(input)).Should().BeTrue($"training step {step}");
        }

        if (track)
        {
            TensorAssert.Identical(ours.running_mean!, reference.running_mean!).Should().BeTrue();
            TensorAssert.Identical(ours.running_var!, reference.running_var!).Should().BeTrue();
            ours.num_batches_tracked!.item<long>().Should().Be(3);
            TensorAssert.Identical(ours.running_mean!, zeros(3)).Should().BeFalse("the running mean must have moved");
        }

        ours.eval();
        reference.eval();
        manual_seed(9);
        var test = randn(2, 3, 5, 6);
        TensorAssert.Identical(ours.call(test), reference.call(test)).Should().BeTrue("eval mode");
        ours.state_dict().Keys.Should().Equal(reference.state_dict().Keys);
    }

    [Fact]
    public void ForwardHooks_FireThroughCall()
    {
        using var norm = ScalarSafeBatchNorm2d.Create(2);
        var seen = 0L;
        var hook = norm.register_forward_hook((_, _, output) =>
        {
            seen = output.shape[1];
            return output;
        });
        using var input = randn(2, 2, 3, 3);

        using var output = norm.call(input);

        seen.Should().Be(2);
        hook.remove();
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4 }, "*[B, C, H, W]*3 dimension(s) [2, 3, 4]*")]
    [InlineData(new long[] { 2, 5, 4, 4 }, "*over 3 channels*5 channels [2, 5, 4, 4]*")]
    public void WrongInput_NamesWhatWasExpectedAndWhatCame(long[] shape, string message)
    {
        using var norm = ScalarSafeBatchNorm2d.Create(3);
        using var input = zeros(shape);

        var act = () => norm.call(input);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Theory]
    [InlineData("resnet18", 1)]
    [InlineData("resnet50", 3)]
    [InlineData("resnest26d", 3)]
    public void BuiltInBackbones_UseItForEveryBatchNorm(string name, int channels)
    {
        using var backbone = BackboneRegistry.Default.Create(name, channels);

        var norms = backbone.Features.modules().OfType<BatchNorm>().ToList();
        norms.Should().NotBeEmpty();
        norms.Should().AllBeOfType<ScalarSafeBatchNorm2d>();
    }
}
