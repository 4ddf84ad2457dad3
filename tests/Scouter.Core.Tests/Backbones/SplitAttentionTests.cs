using Scouter.Core.Backbones;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

public sealed class SplitAttentionTests
{
    [Theory]
    // timm: make_divisible(C · radix · 0.25, divisor 8, min 32): nearest multiple of 8, at least 32.
    [InlineData(64, 2, 32)]   // 32
    [InlineData(128, 2, 64)]  // 64
    [InlineData(256, 2, 128)] // 128
    [InlineData(512, 2, 256)] // 256
    [InlineData(8, 2, 32)]    // 4 → min 32
    [InlineData(100, 2, 48)]  // 50 → int(54) // 8 · 8 = 48 ≥ 0.9 · 50
    [InlineData(13, 11, 40)]  // 35.75 → int(39.75) // 8 · 8 = 32 < 0.9 · 35.75 = 32.175 → one step up, 40
    [InlineData(76, 3, 56)]   // 57 → int(61) // 8 · 8 = 56 ≥ 51.3
    public void AttentionChannels_FollowTimmsMakeDivisible(int channels, int radix, int expected)
    {
        SplitAttention.AttentionChannels(channels, radix).Should().Be(expected);
    }

    [Fact]
    public void Forward_WithEqualLogits_AveragesTheTwoSplits()
    {
        // fc2 weight and bias zero → both splits get softmax weight 1/2, so the output is the mean of the two
        // halves of relu(bn0(conv(x))). With bn0 at identity statistics (eval, mean 0, var 1, eps 1e-5) that is
        // relu(conv(x)) / sqrt(1 + 1e-5), split by channel halves.
        using var block = SplitAttention.Create(channels: 4, stride: 1, radix: 2);
        block.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in block.named_parameters().Where(p => p.name.StartsWith("fc2.", StringComparison.Ordinal)))
        {
            parameter.zero_();
        }

        manual_seed(3);
        var input = randn(2, 4, 5, 5);
        var conv = block.named_parameters().Single(p => p.name == "conv.weight").parameter; // [8, 2, 3, 3], groups 2
        var mixed = nn.functional.conv2d(input, conv, padding: [1, 1], groups: 2).relu() / Math.Sqrt(1 + 1e-5);
        var expected = (mixed[.., ..4] + mixed[.., 4..]) / 2;

        TensorAssert.Close(block.call(input), expected, rtol: 1e-5, atol: 1e-6);
    }
}
