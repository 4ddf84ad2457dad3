using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class ScouterLossTests
{
    private static HeadOutput Output(float[] scores, int classes, float[]? attention = null, long slots = 0, long positions = 0)
    {
        var batch = scores.Length / classes;
        return new HeadOutput(
            tensor(scores).reshape(batch, classes),
            attention is null ? null : tensor(attention).reshape(batch, slots, positions),
            null);
    }

    [Fact]
    public void Loss_IsNllPlusLambdaTimesMeanReluAttentionToThePower()
    {
        // Scores [0, ln 3] → log_softmax = [ln(1/4), ln(3/4)]; label 1 → NLL = −ln(3/4) = 0.2876821.
        // Attention [−1, 0.5, 0.3, 0.2] (B = 1, K = 2, hw = 2): ReLU sum = 1.0, mean = 1.0 / 4 = 0.25.
        // power 2 → area = 0.0625; λ = 3 → total = 0.2876821 + 0.1875 = 0.4751821.
        using var output = Output([0f, (float)Math.Log(3)], 2, [-1f, 0.5f, 0.3f, 0.2f], 2, 2);
        using var labels = tensor(new long[] { 1 });
        using var loss = ScouterLoss.Create(lambda: 3, power: 2);

        using var result = loss.call(output, labels);

        result.Nll.item<float>().Should().BeApproximately(0.2876821f, 1e-6f);
        result.Area.item<float>().Should().BeApproximately(0.0625f, 1e-7f);
        result.Total.item<float>().Should().BeApproximately(0.4751821f, 1e-6f);
    }

    [Fact]
    public void Loss_WithoutAttention_IsTheNllAlone()
    {
        using var output = Output([2f, 0f, 0f, 1f], 2);
        using var labels = tensor(new long[] { 0, 1 });
        using var loss = ScouterLoss.Create(lambda: 10, power: 1);

        using var result = loss.call(output, labels);

        // Mean of −log_softmax: both images score their label 2 (or 1) above the other class.
        var expected = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1))) / 2;
        result.Total.item<float>().Should().BeApproximately((float)expected, 1e-6f);
        result.Area.item<float>().Should().Be(0f);
    }

    [Fact]
    public void Loss_AcceptsInt32Labels()
    {
        using var output = Output([2f, 0f], 2);
        using var labels = tensor(new int[] { 0 });
        using var loss = ScouterLoss.Create(1, 1);
        using var result = loss.call(output, labels);
        result.Nll.item<float>().Should().BeApproximately((float)Math.Log(1 + Math.Exp(-2)), 1e-6f);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Loss_RejectsLabelsOutOfRange(long label)
    {
        using var output = Output([0f, 0f, 0f, 1f, 1f, 1f], 3);
        using var labels = tensor(new long[] { 0, label });
        using var loss = ScouterLoss.Create(1, 1);

        var act = () => loss.call(output, labels);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*[0, 3)*label 1 of the batch is {label}*");
    }

    [Fact]
    public void Loss_RejectsALabelCountOtherThanTheBatch()
    {
        using var output = Output([0f, 0f, 0f, 1f], 2);
        using var labels = tensor(new long[] { 0, 1, 1 });
        using var loss = ScouterLoss.Create(1, 1);
        var act = () => loss.call(output, labels);
        act.Should().Throw<ArgumentException>().WithMessage("*one label per image*[B = 2]*[3]*");
    }

    [Fact]
    public void Loss_RejectsFloatLabels()
    {
        using var output = Output([0f, 0f], 2);
        using var labels = tensor(new float[] { 1 });
        using var loss = ScouterLoss.Create(1, 1);
        var act = () => loss.call(output, labels);
        act.Should().Throw<ArgumentException>().WithMessage("*integer class indices*Float32*");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Loss_RejectsNonFiniteScores(float bad)
    {
        using var output = Output([0f, bad], 2);
        using var labels = tensor(new long[] { 0 });
        using var loss = ScouterLoss.Create(1, 1);
        var act = () => loss.call(output, labels);
        act.Should().Throw<ArgumentException>().WithMessage("*1 non-finite score*");
    }

    [Fact]
    public void Create_RejectsNegativeLambdaAndNonPositivePower()
    {
        FluentActions.Invoking(() => ScouterLoss.Create(-1, 2)).Should()
            .Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*ScouterLossOptions.Lambda must be a finite number >= 0; got -1*");
        FluentActions.Invoking(() => ScouterLoss.Create(1, 0)).Should()
            .Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Power*> 0*0*");
    }
}
