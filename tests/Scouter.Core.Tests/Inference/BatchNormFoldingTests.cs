using Scouter.Core.Compat;
using Scouter.Core.Backbones;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Inference;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Inference;

public sealed class BatchNormFoldingTests
{
    /// <summary>
    /// A model whose batch norms are far from the identity (fresh ones are: mean 0, variance 1, scale 1, shift 0), so
    /// a wrongly folded pair changes the output.
    /// </summary>
    private static (ScouterModel Model, Backbone Backbone) TrainedLooking(string backboneName, int inputChannels, bool useSlot)
    {
        manual_seed(11);
        var backbone = BackboneRegistry.Default.Create(backboneName, inputChannels);
        ClassifierHead head = useSlot
            ? XSlotClassifier.Create(new ClassifierHeadOptions { Channels = backbone.Channels, NumClasses = 5, SlotsPerClass = 2, HiddenDim = 16 })
            : FcClassifierHead.Create(backbone.Channels, 5);
        var model = ScouterModel.Create(backbone.Features, head);
        Randomise(model);
        model.eval();
        return (model, backbone);
    }

    private static void Randomise(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var norm in model.modules().OfType<BatchNorm>())
        {
            norm.running_mean!.normal_(0, 0.3);
            norm.running_var!.uniform_(0.4, 1.6);
            norm.weight!.normal_(1, 0.3);
            norm.bias!.normal_(0, 0.3);
        }
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());

    private static void ShouldEqual(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        var state = model.state_dict();
        state.Keys.Should().Equal(snapshot.Keys, "the folding's extra biases are gone");
        foreach (var (name, tensor) in state)
        {
            TensorAssert.Identical(tensor, snapshot[name]).Should().BeTrue($"{name} is restored bit for bit");
        }
    }

    // Largest |a − b| relative to the largest |b| (the outputs' scale).
    private static double RelativeDifference(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        return (actual - expected).abs().max().item<float>() / Math.Max(expected.abs().max().item<float>(), 1e-12);
    }

    [Theory]
    [InlineData("resnet18", 3, true, 20)]
    [InlineData("resnet18", 3, false, 20)]
    [InlineData("resnet18", 1, true, 20)] // the MNIST stem
    [InlineData("resnet50", 3, true, 53)] // bottlenecks
    [InlineData("resnest26d", 3, true, 39)] // deep stem, split attention, average-pool shortcut
    [InlineData("resnest26d", 1, false, 37)] // the MNIST stem in place of the deep stem's first five modules
    public void Fold_GivesTheSameScoresAndMaps_AndDisposeRestoresTheModel(string backboneName, int inputChannels, bool useSlot, int pairs)
    {
        var (model, backbone) = TrainedLooking(backboneName, inputChannels, useSlot);
        using var _ = backbone;
        using var __ = model;
        using var images = randn(2, inputChannels, 64, 64);
        var before = Snapshot(model);
        using var expected = model.ForwardDetailed(images);

        using (var folded = BatchNormFolding.Fold(model.Backbone, images))
        {
            folded.Count.Should().Be(pairs);
            folded.Unfolded.Should().BeEmpty("every batch norm of the built-in backbones follows a convolution");
            folded.Rejection.Should().BeNull();
            folded.Convolutions.Should().OnlyHaveUniqueItems();
            using var actual = model.ForwardDetailed(images);

            RelativeDifference(actual.Scores, expected.Scores).Should().BeLessThan(1e-5);
            if (useSlot)
            {
                RelativeDifference(actual.ClassMaps!, expected.ClassMaps!).Should().BeLessThan(1e-5);
            }
        }

        ShouldEqual(model, before);
        using var again = model.ForwardDetailed(images);
        TensorAssert.Identical(again.Scores, expected.Scores).Should().BeTrue("the restored model computes exactly what it did");
    }

    [Fact]
    public void Fold_KeepsChannelsLastWeightsChannelsLast()
    {
        // Fewer than 512 output channels: oneDNN's channels-last 1×1 kernels to 512 channels are wrong on one of our
        // machines (ConvolutionSelfCheck.ChannelsLastCpu), which is not what this test is about.
        manual_seed(4);
        using var model = nn.Sequential(
            ("conv1", nn.Conv2d(3, 32, 3, padding: 1, bias: false)),
            ("bn1", ScalarSafeBatchNorm2d.Create(32)),
            ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(32, 64, 1, stride: 2)),
            ("bn2", ScalarSafeBatchNorm2d.Create(64)));
        Randomise(model);
        model.eval();
        using var images = randn(2, 3, 16, 16);
        using var expected = model.call(images);
        using var layout = ChannelsLast.Use(model);
        var weights = model.modules().OfType<Conv2d>().Select(conv => conv.weight).ToList();

        using (var folded = BatchNormFolding.Fold(model, images))
        {
            folded.Count.Should().Be(2);
            weights.Should().OnlyContain(w => ChannelsLast.IsChannelsLast(w));
            using var actual = model.call(images);
            RelativeDifference(actual, expected).Should().BeLessThan(1e-5);
        }

        weights.Should().OnlyContain(w => ChannelsLast.IsChannelsLast(w), "restored as they were when folded");
    }

    [Fact]
    public void Fold_LeavesNoTensorsBehind()
    {
        var (model, backbone) = TrainedLooking("resnet18", 1, false);
        using var _ = backbone;
        using var __ = model;
        using var images = randn(1, 1, 32, 32);
        using (BatchNormFolding.Fold(model.Backbone, images))
        {
        }

        for (var cycle = 0; cycle < 2; cycle++)
        {
            var start = LiveTensors.Count();
            int added;
            using (var folded = BatchNormFolding.Fold(model.Backbone, images))
            {
                folded.Count.Should().Be(20);
                added = folded.Convolutions.Count; // resnet18's convolutions have no bias: each gets one while folded
            }

            // Every tensor is freed. TorchSharp's Parameter constructor takes over the handle of the tensor it wraps and
            // leaves that emptied wrapper counted in Tensor.TotalCount for good: one count per bias parameter created.
            LiveTensors.Count().Should().Be(start + added);
        }
    }

    [Fact]
    public void Fold_RefusesTrainingMode_AndAFoldedNormRefusesToTrain()
    {
        var (model, backbone) = TrainedLooking("resnet18", 1, false);
        using var _ = backbone;
        using var __ = model;
        using var images = randn(2, 1, 32, 32);
        model.train();
        var fold = () => BatchNormFolding.Fold(model.Backbone, images);
        fold.Should().Throw<InvalidOperationException>().WithMessage("*evaluation mode*eval()*");

        model.eval();
        using (BatchNormFolding.Fold(model.Backbone, images))
        {
            model.train();
            var step = () => model.ForwardDetailed(images);
            step.Should().Throw<InvalidOperationException>().WithMessage("*folded into conv1*dispose the folding*");
            model.eval();
        }

        model.train();
        using var trained = model.ForwardDetailed(images);
        trained.Scores.shape.Should().Equal(2, 5);
    }

    [Fact]
    public void Fold_Twice_FoldsNothingMore()
    {
        var (model, backbone) = TrainedLooking("resnet18", 1, false);
        using var _ = backbone;
        using var __ = model;
        using var images = randn(2, 1, 32, 32);
        var before = Snapshot(model);
        using var expected = model.ForwardDetailed(images);

        using (var first = BatchNormFolding.Fold(model.Backbone, images))
        using (var second = BatchNormFolding.Fold(model.Backbone, images))
        {
            first.Count.Should().Be(20);
            second.Count.Should().Be(0);
            second.Unfolded.Should().BeEmpty("folded norms are not listed again");
            using var actual = model.ForwardDetailed(images);
            RelativeDifference(actual.Scores, expected.Scores).Should().BeLessThan(1e-5);
        }

        ShouldEqual(model, before);
    }

    [Fact]
    public void Fold_WhereAConvolutionsOutputIsUsedTwice_IsRejectedAndRestored()
    {
        manual_seed(5);
        using var model = new SharedOutput();
        Randomise(model);
        model.eval();
        using var images = randn(2, 3, 16, 16);
        var before = Snapshot(model);
        using var expected = model.call(images);

        using (var folded = BatchNormFolding.Fold(model, images))
        {
            folded.Count.Should().Be(0);
            folded.Rejection.Should().Contain("changed the output");
            folded.Unfolded.Should().Equal("bn");
            ShouldEqual(model, before);
        }

        using var actual = model.call(images);
        TensorAssert.Identical(actual, expected).Should().BeTrue();
    }

    [Fact]
    public void Fold_SkipsNormsWithoutAConvolutionBefore_AndTorchSharpsOwnBatchNorm()
    {
        manual_seed(6);
        using var model = nn.Sequential(
            ("conv", nn.Conv2d(3, 8, 3, padding: 1)),
            ("relu", nn.ReLU()),
            ("after_relu", ScalarSafeBatchNorm2d.Create(8)),
            ("conv2", nn.Conv2d(8, 8, 1)),
            ("torchsharp_bn", nn.BatchNorm2d(8)),
            ("conv3", nn.Conv2d(8, 4, 3, bias: false)),
            ("bn", ScalarSafeBatchNorm2d.Create(4)));
        Randomise(model);
        model.eval();
        using var images = randn(2, 3, 12, 12);
        using var expected = model.call(images);

        using var folded = BatchNormFolding.Fold(model, images);

        folded.Convolutions.Should().Equal("conv3");
        folded.Unfolded.Should().BeEquivalentTo("after_relu", "torchsharp_bn");
        using var actual = model.call(images);
        RelativeDifference(actual, expected).Should().BeLessThan(1e-5);
        model.named_parameters().Select(p => p.name).Should().Contain("conv3.bias", "the bias-free convolution carries the shift while folded");
    }

    [Fact]
    public void Evaluation_FoldsTheScouterModel_ScoresAsUnfolded_AndRestoresIt()
    {
        var (model, backbone) = TrainedLooking("resnet18", 3, true);
        using var _ = backbone;
        using var __ = model;
        manual_seed(7);
        using var images = rand(2, 3, 64, 64); // a 2×2 feature map: a 1×1 one normalises to 0/0
        using var labels = tensor(new long[] { 1, 3 });
        using var boxes = tensor(new float[] { 8, 8, 40, 40, 0, 0, 63, 31 }).view(2, 1, 4);
        var before = Snapshot(model);
        var options = new EvaluationOptions { InfidelitySamples = 2, SensitivitySamples = 2, Seed = 3 };
        EvaluationBatch[] batches = [new(images, labels, boxes)];

        var plain = new ExplanationEvaluator(options with { FoldBatchNorm = false }).Evaluate(batches, model).Rows.Single();
        ShouldEqual(model, before);
        var folded = new ExplanationEvaluator(options).Evaluate(batches, model).Rows.Single();

        ShouldEqual(model, before);
        folded.Accuracy.Should().Be(plain.Accuracy);
        folded.Precision.Should().NotBeNull();
        foreach (var (metric, actual, expected) in new[]
        {
            ("area size", folded.AreaSize, plain.AreaSize), ("precision", folded.Precision!.Value, plain.Precision!.Value), ("IAUC", folded.InsertionAuc, plain.InsertionAuc),
            ("DAUC", folded.DeletionAuc, plain.DeletionAuc), ("infidelity", folded.Infidelity, plain.Infidelity), ("max-sensitivity", folded.MaxSensitivity, plain.MaxSensitivity),
        })
        {
            // The curves order pixels by map value: rounding-level differences of the maps can swap near-ties, so the
            // metrics agree to 1e-3 where the scores and maps themselves agree to 1e-5 (Fold_GivesTheSameScoresAndMaps_AndDisposeRestoresTheModel).
            double.IsFinite(expected).Should().BeTrue(metric);
            actual.Should().BeApproximately(expected, 1e-3 * Math.Max(1, Math.Abs(expected)), metric);
        }
    }

    [Fact]
    public void Fold_NeedsAnImage()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("bn", ScalarSafeBatchNorm2d.Create(4)));
        model.eval();
        using var empty = zeros(0, 3, 8, 8);

        var fold = () => BatchNormFolding.Fold(model, empty);

        fold.Should().Throw<ArgumentException>().WithMessage("*at least one image*[0, 3, 8, 8]*");
    }

    /// <summary>y = bn(conv(x)) + conv(x): the convolution's output feeds more than its batch norm.</summary>
    private sealed class SharedOutput : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv;
        private readonly ScalarSafeBatchNorm2d bn;

        public SharedOutput() : base(nameof(SharedOutput))
        {
            conv = nn.Conv2d(3, 4, 3, padding: 1);
            bn = ScalarSafeBatchNorm2d.Create(4);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var y = conv.call(input);
            return bn.call(y).add(y).MoveToOuterDisposeScope();
        }
    }
}
