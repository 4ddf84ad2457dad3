using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class XSlotClassifierTests
{
    private static ClassifierHeadOptions Small(int slotsPerClass = 1, ScouterPolarity polarity = ScouterPolarity.Positive) => new()
    {
        Channels = 6,
        HiddenDim = 8,
        NumClasses = 4,
        SlotsPerClass = slotsPerClass,
        Polarity = polarity,
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 9)]
    [InlineData(7, 3)]
    [InlineData(2, 11)]
    public void ForwardDetailed_GivesScoresAttentionAndMapsOfTheInputsSize(int height, int width)
    {
        manual_seed(1);
        using var head = XSlotClassifier.Create(Small(slotsPerClass: 2));
        using var features = randn(3, 6, height, width);

        using var output = head.ForwardDetailed(features);

        output.Scores.shape.Should().Equal(3, 4);
        output.SlotAttention!.shape.Should().Equal(3, 8, height * width);
        output.ClassMaps!.shape.Should().Equal(3, 4, height, width);
    }

    [Fact]
    public void Call_ReturnsTheScoresOfForwardDetailed()
    {
        manual_seed(2);
        using var head = XSlotClassifier.Create(Small());
        using var features = randn(2, 6, 5, 4);
        using var output = head.ForwardDetailed(features);

        using var scores = head.call(features);

        TensorAssert.Close(scores, output.Scores, rtol: 0, atol: 0);
    }

    [Fact]
    public void Scores_SumAttentionUpdatesPerClass_AsAnExplicitLoopWould()
    {
        manual_seed(3);
        const int n = 4, s = 3, d = 8;
        using var head = XSlotClassifier.Create(Small(slotsPerClass: s));
        using var features = randn(2, 6, 3, 5);

        // Capture X = ReLU(conv1x1(F)) through a forward hook, then rebuild every class score by hand:
        // score_c = Σ_j Σ_d (A_{c·s+j} · X) / d, with slots in class-major order.
        Tensor? convOutput = null;
        var conv = head.named_modules().Single(m => m.name == "conv1x1").module as nn.Module<Tensor, Tensor>;
        var hook = conv!.register_forward_hook((_, _, output) =>
        {
            convOutput = output.detach().clone().DetachFromDisposeScope();
            return output;
        });
        using var result = head.ForwardDetailed(features);
        hook.remove();
        using var values = nn.functional.relu(convOutput!).flatten(2).transpose(1, 2); // [B, hw, d]
        using var attention = result.SlotAttention!;

        for (var c = 0; c < n; c++)
        {
            using var scope = NewDisposeScope();
            var score = zeros(2);
            var map = zeros(2, 15);
            for (var j = 0; j < s; j++)
            {
                var slotAttention = attention[.., c * s + j, ..]; // [B, hw]
                score += bmm(slotAttention.unsqueeze(1), values).squeeze(1).sum(1) / d;
                map += slotAttention;
            }

            TensorAssert.Close(result.Scores[.., c], score, rtol: 1e-5, atol: 1e-6, because: $"class {c} score");
            TensorAssert.Close(result.ClassMaps![.., c].flatten(1), map, rtol: 1e-6, atol: 1e-7, because: $"class {c} map");
        }

        convOutput!.Dispose();
    }

    [Fact]
    public void NegativePolarity_NegatesScoresAndKeepsAttention()
    {
        manual_seed(4);
        using var positive = XSlotClassifier.Create(Small(polarity: ScouterPolarity.Positive));
        manual_seed(4);
        using var negative = XSlotClassifier.Create(Small(polarity: ScouterPolarity.Negative));
        using var features = randn(2, 6, 4, 4);

        using var plus = positive.ForwardDetailed(features);
        using var minus = negative.ForwardDetailed(features);

        plus.Scores.abs().sum().item<float>().Should().BeGreaterThan(0);
        TensorAssert.Close(minus.Scores, plus.Scores.neg(), rtol: 0, atol: 0);
        TensorAssert.Close(minus.ClassMaps!, plus.ClassMaps!, rtol: 0, atol: 0);
    }

    [Fact]
    public void Gradient_ReachesEveryParameter()
    {
        manual_seed(5);
        using var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 4, SlotsPerClass = 2, ToKLayers = 2 });
        using var loss = Losses.ScouterLoss.Create(1.0, 2.0);
        using var features = randn(2, 6, 3, 3);
        using var labels = tensor(new long[] { 1, 3 });

        using (var result = loss.call(head.ForwardDetailed(features), labels))
        {
            result.Total.backward();
        }

        foreach (var (name, parameter) in head.named_parameters())
        {
            parameter.grad.Should().NotBeNull($"{name} takes part in the loss");
            parameter.grad!.abs().sum().item<float>().Should().BeGreaterThan(0, $"{name} should receive gradient");
        }
    }

    [Fact]
    public void StateDict_HasTheOfficialHeadNames()
    {
        using var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = 4, ToKLayers = 2 });

        head.state_dict().Keys.Should().BeEquivalentTo(
            "conv1x1.weight", "conv1x1.bias", "slot.initial_slots",
            "slot.to_k.0.weight", "slot.to_k.0.bias", "slot.to_k.2.weight", "slot.to_k.2.bias",
            "slot.gru.weight_ih_l0", "slot.gru.weight_hh_l0", "slot.gru.bias_ih_l0", "slot.gru.bias_hh_l0");
    }

    [Fact]
    public async Task ConcurrentInference_GivesTheSameResultsAsSequential()
    {
        manual_seed(6);
        using var head = XSlotClassifier.Create(Small(slotsPerClass: 2));
        head.eval();
        var inputs = Enumerable.Range(0, 8).Select(i => randn(2, 6, 3 + (i % 3), 4)).ToArray();
        var sequential = inputs.Select(x =>
        {
            using var _ = no_grad();
            using var output = head.ForwardDetailed(x);
            return (output.Scores.clone(), output.ClassMaps!.clone());
        }).ToArray();

        var concurrent = await Task.WhenAll(inputs.Select(x => Task.Run(() =>
        {
            using var _ = no_grad();
            using var output = head.ForwardDetailed(x);
            return (output.Scores.clone(), output.ClassMaps!.clone());
        })));

        // Not bit for bit: a LibTorch kernel called from several threads at once may split its reductions
        // differently (seen: 1 ulp on a loaded machine). Shared state between calls, such as a position embedding
        // cached for another map size (the inputs alternate 3, 4 and 5 rows), would differ by far more.
        for (var i = 0; i < inputs.Length; i++)
        {
            TensorAssert.Close(concurrent[i].Item1, sequential[i].Item1, rtol: 1e-6, atol: 1e-6);
            TensorAssert.Close(concurrent[i].Item2, sequential[i].Item2, rtol: 1e-6, atol: 1e-6);
        }

        foreach (var t in inputs.Concat(sequential.SelectMany(p => new[] { p.Item1, p.Item2 })).Concat(concurrent.SelectMany(p => new[] { p.Item1, p.Item2 })))
        {
            t.Dispose();
        }
    }

    [Fact]
    public void TrainingStep_LeavesNoLiveTensorsBehind()
    {
        manual_seed(7);
        using var head = XSlotClassifier.Create(Small(slotsPerClass: 2));
        using var loss = Losses.ScouterLoss.Create(1.0, 2.0);
        using var optimizer = optim.AdamW(head.parameters(), lr: 1e-3, weight_decay: 0.01);
        using var features = randn(4, 6, 5, 5);
        using var labels = tensor(new long[] { 0, 1, 2, 3 });

        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var result = loss.call(head.ForwardDetailed(features), labels);
            result.Total.backward();
            optimizer.step();
        }

        Step(); // the optimizer allocates its state once
        var before = LiveTensors.Count();
        for (var i = 0; i < 20; i++)
        {
            Step();
        }

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void ForwardDetailed_RejectsAWrongRank()
    {
        using var head = XSlotClassifier.Create(Small());
        using var features = zeros(6, 3, 3);
        var act = () => head.ForwardDetailed(features);
        act.Should().Throw<ArgumentException>().WithMessage("*[B, C = 6, h, w]*rank 4*[6, 3, 3]*");
    }

    [Fact]
    public void ForwardDetailed_RejectsAnotherChannelCount()
    {
        using var head = XSlotClassifier.Create(Small());
        using var features = zeros(2, 512, 3, 3);
        var act = () => head.ForwardDetailed(features);
        act.Should().Throw<ArgumentException>().WithMessage("*C = 6*[2, 512, 3, 3]*");
    }

    [Theory]
    [InlineData(2, 0, 3)]
    [InlineData(2, 3, 0)]
    [InlineData(0, 3, 3)]
    public void ForwardDetailed_RejectsAnEmptyFeatureMap(int batch, int height, int width)
    {
        using var head = XSlotClassifier.Create(Small());
        using var features = zeros(batch, 6, height, width);
        var act = () => head.ForwardDetailed(features);
        act.Should().Throw<ArgumentException>().WithMessage("*non-empty feature map*");
    }

    [Fact]
    public void ForwardDetailed_RejectsIntegerFeatures()
    {
        using var head = XSlotClassifier.Create(Small());
        using var features = zeros(2, 6, 3, 3, dtype: ScalarType.Int64);
        var act = () => head.ForwardDetailed(features);
        act.Should().Throw<ArgumentException>().WithMessage("*floating-point*Int64*");
    }

    [Fact]
    public void Create_RejectsInvalidOptions_NamingTheOption()
    {
        var act = () => XSlotClassifier.Create(new ClassifierHeadOptions { HiddenDim = 7 });
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*HiddenDim*even*7*");
    }

    [Fact]
    public void Create_CopiesTheOptions()
    {
        var options = Small();
        using var head = XSlotClassifier.Create(options);
        options.NumClasses = 99;
        head.NumClasses.Should().Be(4);
    }
}
