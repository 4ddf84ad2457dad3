using Scouter.Core.Backbones;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>
/// ResNeSt-26d / -50d against timm: key names and shapes, counts and a forward pass all come from
/// Fixtures/Backbones/make_backbone_fixtures.py (timm's code re-implemented under Debian's torch 1.13).
/// </summary>
public sealed class ResNeStTests
{
    public static TheoryData<string> Models => new(["resnest26d", "resnest50d"]);

    private static ResNeSt Build(string name, int numClasses = 1000, int inputChannels = 3) => name switch
    {
        "resnest26d" => ResNeSt.ResNeSt26d(numClasses, inputChannels),
        "resnest50d" => ResNeSt.ResNeSt50d(numClasses, inputChannels),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void StateDict_HasTimmsNamesAndShapes(string name)
    {
        using var model = Build(name);

        StateDictAssert.Matches(model, BackboneFixtures.Keys(name).Keys);
    }

    [Theory]
    [InlineData("resnest26d", 17_069_448L, 260)]
    [InlineData("resnest50d", 27_483_240L, 476)]
    public void WithOneThousandClasses_HasTheSpecsParameterAndEntryCounts(string name, long parameters, int entries)
    {
        using var model = Build(name);

        ParameterCounts.Of(model).Should().Be(new ParameterCounts(parameters, parameters));
        model.state_dict().Count.Should().Be(entries);
        BackboneFixtures.Keys(name).Should().Match<BackboneFixtures.KeyList>(k => k.Parameters == parameters && k.Entries == entries,
            "the Python re-implementation was checked against the same numbers");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Forward_MatchesTimmNumerically(string name)
    {
        var fixture = new BackboneFixtures.Forward(name);
        using var model = Build(name, numClasses: fixture.NumClasses);
        DeterministicWeights.Fill(model);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(fixture.InputShape);

        var features = model.ForwardFeatures(input);
        var logits = model.call(input);
        using var extractor = model.FeatureExtractor();
        var stem = extractor.named_children().Take(4).Aggregate(input, (x, child) => ((nn.Module<Tensor, Tensor>)child.module).call(x));

        stem.shape.Should().Equal(fixture.Longs("stem_shape"));
        TensorAssert.Close(stem.mean([0L, 2L, 3L]), fixture.Tensor("stem_channel_means", 64), rtol: 1e-5, atol: 1e-5, because: "stem (conv1 … maxpool) channel means");
        features.shape.Should().Equal(fixture.Longs("features_shape"));
        TensorAssert.Close(features.mean([0L, 2L, 3L]), fixture.Tensor("feature_channel_means", 2048), rtol: 1e-5, atol: 1e-5, because: "feature channel means");
        TensorAssert.Close(logits, fixture.Tensor("logits", 1, fixture.NumClasses), rtol: 1e-5, atol: 1e-5, because: "logits");
        if (fixture.HasFullFeatures)
        {
            TensorAssert.Close(features, fixture.Tensor("features", fixture.Longs("features_shape")), rtol: 1e-5, atol: 1e-5, because: "feature map");
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void DilatedForward_MatchesTimmsOutputStride(int outputStride)
    {
        // timm's output_stride: dilated split attention, no avd pool in dilated stages, and a "same"-padded 2×2 average
        // (stride 1) in their shortcut.
        var fixture = new BackboneFixtures.StridedForward("resnest26d", outputStride);
        using var model = ResNeSt.ResNeSt26d(numClasses: 10, outputStride: outputStride);
        DeterministicWeights.Fill(model);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(fixture.InputShape);

        StridedFixtureAssert.Matches(model.ForwardFeatures(input), fixture);
        TensorAssert.Close(model.call(input), fixture.Tensor("logits", 1, 10), rtol: 1e-5, atol: 1e-5, because: "logits");
        model.OutputStride.Should().Be(outputStride);
    }

    [Fact]
    public void FeatureMap_Is2048x9x9_At260Pixels()
    {
        using var model = ResNeSt.ResNeSt50d();
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var features = model.ForwardFeatures(zeros(1, 3, 260, 260));

        features.shape.Should().Equal(1, 2048, 9, 9);
    }

    [Fact]
    public void FeatureExtractor_SharesParametersAndKeepsTimmNamesWithoutFc()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 10);
        using var features = model.FeatureExtractor();
        var expected = BackboneFixtures.Keys("resnest26d").Keys.Where(k => !k.Name.StartsWith("fc.", StringComparison.Ordinal)).ToList();

        StateDictAssert.Matches(features, expected);

        var extractorWeight = features.named_parameters().Single(p => p.name == "layer2.0.conv2.fc1.weight").parameter;
        using (no_grad())
        {
            extractorWeight.fill_(0.25f);
        }

        var modelWeight = model.named_parameters().Single(p => p.name == "layer2.0.conv2.fc1.weight").parameter;
        modelWeight.eq(0.25f).all().item<bool>().Should().BeTrue("the extractor and the classifier hold the same tensor");
    }

    [Fact]
    public void FeatureExtractor_GivesTheSameMapAsForwardFeatures()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 10);
        DeterministicWeights.Fill(model);
        model.eval();
        using var features = model.FeatureExtractor();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(1, 3, 40, 40);

        TensorAssert.Close(features.call(input), model.ForwardFeatures(input), rtol: 0, atol: 0);
    }

    [Fact]
    public void WithoutClassifier_ForwardReturnsPooledFeatures()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 0);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(2, 3, 32, 32);

        var output = model.call(input);

        model.state_dict().Keys.Should().NotContain(k => k.StartsWith("fc.", StringComparison.Ordinal));
        TensorAssert.Close(output, model.ForwardFeatures(input).mean([2L, 3L]), because: "global average pooling only");
    }

    [Fact]
    public void OneInputChannel_UsesTheMnistStem()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 10, inputChannels: 1);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var stem = model.state_dict().Where(e => e.Key.StartsWith("conv1.", StringComparison.Ordinal)).ToList();
        stem.Select(e => e.Key).Should().Equal("conv1.weight");
        stem[0].Value.shape.Should().Equal(64, 1, 3, 3);
        // 28 → 14 (stem, stride 2) → 7 (max pool) → 7 → 4 → 2 → 1 (avd pools, ceil of odd sizes by padding 1)
        model.ForwardFeatures(zeros(2, 1, 28, 28)).shape.Should().Equal(2, 2048, 1, 1);
        // The deep stem had 3 convolutions (32·3·9 + 32·32·9 + 64·32·9) and two BNs (2·32 + 2·32 params);
        // the MNIST stem has 64·1·9.
        var deep = 864 + 9216 + 18432 + 128;
        ParameterCounts.Of(model).Total.Should().Be(17_069_448 - 1000 * 2048 - 1000 + 10 * 2048 + 10 - deep + 576);
    }

    [Fact]
    public void Initialisation_ZeroesTheLastNormOfEveryBlockLikeTimm()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 10);

        var lastNorms = model.named_parameters().Where(p => p.name.EndsWith(".bn3.weight", StringComparison.Ordinal)).ToList();

        lastNorms.Should().HaveCount(8, "2 + 2 + 2 + 2 blocks");
        lastNorms.Should().OnlyContain(p => p.parameter.abs().max().item<float>() == 0f);
        var stemConv = model.named_parameters().Single(p => p.name == "conv1.0.weight").parameter;
        // Kaiming normal, fan out = 32·3·3 = 288: std = sqrt(2 / 288) ≈ 0.083.
        stemConv.std().item<float>().Should().BeApproximately(0.083f, 0.02f);
    }

    [Fact]
    public void Forward_RejectsImagesOfTheWrongShape()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 3, inputChannels: 1);
        using var rgb = zeros(2, 3, 32, 32);
        using var flat = zeros(2, 32, 32);

        FluentActions.Invoking(() => model.call(rgb)).Should().Throw<ArgumentException>().WithMessage("*resnest26d*1-channel*[2, 3, 32, 32]*");
        FluentActions.Invoking(() => model.ForwardFeatures(flat)).Should().Throw<ArgumentException>().WithMessage("*[B, 1, H, W]*rank 4*[2, 32, 32]*");
    }

    [Fact]
    public void Create_RejectsBadArguments()
    {
        FluentActions.Invoking(() => ResNeSt.ResNeSt26d(numClasses: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("numClasses");
        FluentActions.Invoking(() => ResNeSt.ResNeSt26d(inputChannels: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("inputChannels");
        FluentActions.Invoking(() => ResNeSt.ResNeSt50d(outputStride: 4)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("outputStride").WithMessage("*32*16*8*got 4*");
    }

    [Fact]
    public void Backward_ReachesEveryTrainableParameterAndNoFrozenOne()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 3);
        using var features = model.FeatureExtractor();
        LayerFreezing.FreezeLayers(features, 3);
        model.train();
        using var scope = NewDisposeScope();
        manual_seed(2);

        nn.functional.cross_entropy(model.call(randn(2, 3, 32, 32)), tensor(new long[] { 0, 2 })).backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            var trains = name.StartsWith("layer4.", StringComparison.Ordinal) || name.StartsWith("fc.", StringComparison.Ordinal);
            (parameter.grad is not null).Should().Be(trains, name);
        }
    }

    [Fact]
    public void Training_WithOneImage_ExplainsTheBatchNeed()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 3);
        model.train();
        using var input = zeros(1, 3, 32, 32);

        var act = () => model.call(input);

        act.Should().Throw<ArgumentException>().WithMessage("*batch of at least 2*[1, 64, 8, 8]*eval()*");
    }

    [Fact]
    public void Forward_LeavesNoLiveTensors()
    {
        using var model = ResNeSt.ResNeSt26d(numClasses: 3);
        model.eval();
        using var input = zeros(1, 3, 32, 32);
        var before = LiveTensors.Count();

        using (no_grad())
        {
            model.call(input).Dispose();
        }

        LiveTensors.Count().Should().Be(before);
    }
}
