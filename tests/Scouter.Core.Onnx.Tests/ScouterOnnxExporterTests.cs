using Scouter.Core.Explanations;
using Scouter.Core.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Tests;

/// <summary>
/// Exported models run in ONNX Runtime and give TorchSharp's log-probabilities, scores and class maps (and the
/// normalised, upsampled maps) to 1e-4 relative, for every backbone family and head, on random and synthetic images,
/// one image and five.
/// </summary>
public sealed class ScouterOnnxExporterTests
{
    private const int Size = 64;

    [Theory]
    [InlineData("resnet18", "xslot+")]
    [InlineData("resnet18", "xslot-")]
    [InlineData("resnet18", "fc")]
    [InlineData("resnet50", "xslot+")]
    [InlineData("resnext50_32x4d", "xslot-")]
    [InlineData("resnest26d", "xslot+")]
    [InlineData("resnest26d", "fc")]
    [InlineData("resnest50d", "xslot-")]
    public void Export_MatchesTorchSharp_OnRandomAndSyntheticImages(string backboneName, string head)
    {
        var (model, backbone) = TestModels.Create(backboneName, head);
        using var _ = backbone;
        using var __ = model;
        var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = Size, ImageWidth = Size });
        using var onnx = new OnnxRun(bytes);

        manual_seed(11);
        using var random = randn(5, 3, Size, Size);
        using var synthetic = TestModels.SyntheticImages(5, Size);
        foreach (var (images, name) in new[] { (random, "random"), (synthetic, "synthetic") })
        {
            foreach (var batch in new[] { 1, 5 })
            {
                using var input = images[..batch];
                AssertSame(model, onnx, input, $"{backboneName} {head}, {name} images, batch {batch}");
            }
        }
    }

    [Theory]
    [InlineData("resnet18", "xslot+", 16)]
    [InlineData("resnet50", "fc", 8)]
    [InlineData("resnest26d", "xslot-", 8)]
    public void Export_DilatedBackbones_MatchTorchSharp(string backboneName, string head, int outputStride)
    {
        var (model, backbone) = TestModels.Create(backboneName, head, outputStride: outputStride);
        using var _ = backbone;
        using var __ = model;
        var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = Size, ImageWidth = Size });
        using var onnx = new OnnxRun(bytes);

        manual_seed(13);
        using var images = randn(2, 3, Size, Size);
        AssertSame(model, onnx, images, $"{backboneName} {head} at output stride {outputStride}");
        if (head != "fc")
        {
            using var output = model.ForwardDetailed(images);
            output.ClassMaps!.shape[^1].Should().Be(Size / outputStride, "the map is as fine as the stride makes it");
        }
    }

    [Theory]
    [InlineData("resnet18", "xslot+")]
    [InlineData("resnest26d", "fc")]
    public void Export_MnistStem_MatchesTorchSharp(string backboneName, string head)
    {
        var (model, backbone) = TestModels.Create(backboneName, head, inputChannels: 1);
        using var _ = backbone;
        using var __ = model;
        var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 28, ImageWidth = 28, InputChannels = 1 });
        using var onnx = new OnnxRun(bytes);

        manual_seed(5);
        using var digits = randn(5, 1, 28, 28);
        AssertSame(model, onnx, digits, $"{backboneName} MNIST stem {head}");
        onnx.Metadata[OnnxMetadataKeys.Mean].Should().Be("0.1307");
        onnx.Metadata[OnnxMetadataKeys.ChannelOrder].Should().Be("L");
    }

    [Fact]
    public void Export_TranslatesDilationGroupsAsymmetricKernelsAndPoolingSettings()
    {
        // What larger output strides are made of: dilated 3×3 convolutions whose padding keeps the map size, grouped and
        // non-square kernels, ceil-mode pooling and average pooling that leaves the padding out of the count.
        manual_seed(3);
        var features = nn.Sequential(
            ("stem", nn.Conv2d(3, 16, kernel_size: 3, stride: 2, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(16)),
            ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1, ceil_mode: true)),
            ("dilated2", nn.Conv2d(16, 32, kernel_size: 3, padding: 2, dilation: 2)),
            ("dilated4", nn.Conv2d(32, 32, kernel_size: 3, padding: 4, dilation: 4, groups: 4)),
            ("wide", nn.Conv2d(32, 32, kernel_size: (1, 3), padding: (0, 1))),
            ("avg", nn.AvgPool2d(kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false)),
            ("same", nn.Conv2d(32, 24, kernel_size: 4, padding: TorchSharp.Padding.Same, dilation: 2)));
        using var model = TestModels.Compose(features, 24, "xslot+");
        var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 45, ImageWidth = 38 });
        using var onnx = new OnnxRun(bytes);

        using var images = randn(5, 3, 45, 38);
        AssertSame(model, onnx, images, "dilated and grouped convolutions");
    }

    [Fact]
    public void Export_PlainTorchVisionChildren_AsTheReadmeBuildsThem()
    {
        // TorchVision's own blocks and batch norms, not the adopted ones the registry builds.
        manual_seed(9);
        var resnet = TorchSharp.torchvision.models.resnet18();
        var features = nn.Sequential(resnet.named_children().TakeWhile(c => c.name != "avgpool").Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray());
        using var model = TestModels.Compose(features, 512, "xslot+");
        using var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 48, ImageWidth = 48 }));

        using var images = randn(2, 3, 48, 48);
        AssertSame(model, onnx, images, "TorchVision resnet18 children");
    }

    [Fact]
    public void Export_WritesThePreprocessingAndTheHeadIntoTheMetadata()
    {
        var (model, backbone) = TestModels.Create("resnet18", "xslot-", numClasses: 3);
        using var _ = backbone;
        using var __ = model;
        var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions
        {
            ImageHeight = 96, ImageWidth = 64, ClassNames = ["cat", "dog", "bird \"quoted\""], BackboneName = "resnet18",
        });
        using var onnx = new OnnxRun(bytes);

        var metadata = onnx.Metadata;
        metadata[OnnxMetadataKeys.InputHeight].Should().Be("96");
        metadata[OnnxMetadataKeys.InputWidth].Should().Be("64");
        metadata[OnnxMetadataKeys.Mean].Should().Be("0.485,0.456,0.406");
        metadata[OnnxMetadataKeys.Std].Should().Be("0.229,0.224,0.225");
        metadata[OnnxMetadataKeys.PixelDivisor].Should().Be("255");
        metadata[OnnxMetadataKeys.Head].Should().Be("xslot");
        metadata[OnnxMetadataKeys.Polarity].Should().Be("negative");
        metadata[OnnxMetadataKeys.FeatureMap].Should().Be("3x2");
        metadata[OnnxMetadataKeys.Backbone].Should().Be("resnet18");
        System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata[OnnxMetadataKeys.ClassNames]).Should().Equal("cat", "dog", "bird \"quoted\"");

        onnx.Session.InputMetadata[OnnxNames.Images].Dimensions.Should().Equal(-1, 3, 96, 64);
        onnx.Session.OutputMetadata.Keys.Should().BeEquivalentTo(OnnxNames.Scores, OnnxNames.LogProbabilities, OnnxNames.ClassMaps, OnnxNames.UpsampledMaps);
        onnx.Session.OutputMetadata[OnnxNames.ClassMaps].Dimensions.Should().Equal(-1, 3, 3, 2);
        onnx.Session.OutputMetadata[OnnxNames.UpsampledMaps].Dimensions.Should().Equal(-1, 3, 96, 64);
    }

    [Fact]
    public void Export_FcHead_HasNoMaps_AndUpsampledMapsCanBeLeftOut()
    {
        var (fcModel, fcBackbone) = TestModels.Create("resnet18", "fc");
        using (fcBackbone)
        using (fcModel)
        using (var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(fcModel, new OnnxExportOptions { ImageHeight = Size, ImageWidth = Size })))
        {
            onnx.Session.OutputMetadata.Keys.Should().BeEquivalentTo(OnnxNames.Scores, OnnxNames.LogProbabilities);
            onnx.Metadata[OnnxMetadataKeys.Head].Should().Be("fc");
        }

        var (model, backbone) = TestModels.Create("resnet18", "xslot+");
        using (backbone)
        using (model)
        using (var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = Size, ImageWidth = Size, IncludeUpsampledMaps = false })))
        {
            onnx.Session.OutputMetadata.Keys.Should().BeEquivalentTo(OnnxNames.Scores, OnnxNames.LogProbabilities, OnnxNames.ClassMaps);
        }
    }

    [Fact]
    public void Export_UnknownModule_NamesItsTypeAndPath()
    {
        var features = nn.Sequential(("conv", nn.Conv2d(3, 8, 3)), ("mine", new DoublingLayer()));
        using var model = TestModels.Compose(features, 8, "fc");

        FluentActions.Invoking(() => ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 16, ImageWidth = 16 }))
            .Should().Throw<NotSupportedException>()
            .WithMessage($"*'backbone.mine'*{typeof(DoublingLayer).FullName}*not supported*");
    }

    [Fact]
    public void Export_RejectsOptionsThatDoNotFitTheModel()
    {
        var (model, backbone) = TestModels.Create("resnet18", "xslot+", numClasses: 3);
        using var _ = backbone;
        using var __ = model;

        FluentActions.Invoking(() => ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ClassNames = ["a", "b"] }))
            .Should().Throw<ArgumentException>().WithMessage("*2 names; the model has 3 classes*");
        FluentActions.Invoking(() => ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, InputChannels = 1 }))
            .Should().Throw<ArgumentException>().WithMessage("*cannot take a [1, 1, 64, 64] input*");
    }

    [Fact]
    public void Export_WritesTheFileAtomically_AndLeavesTheTrainingModeAlone()
    {
        var (model, backbone) = TestModels.Create("resnet18", "xslot+");
        using var _ = backbone;
        using var __ = model;
        model.train();
        var path = Path.Combine(Directory.CreateTempSubdirectory("scouter-onnx-").FullName, "model.onnx");
        try
        {
            ScouterOnnxExporter.Export(model, path, new OnnxExportOptions { ImageHeight = Size, ImageWidth = Size });

            model.training.Should().BeTrue();
            model.Backbone.modules().Should().OnlyContain(m => m.training, "the export runs the backbone in eval mode and restores each module's mode");
            using var onnx = new OnnxRun(path);
            onnx.Session.OutputMetadata.Should().ContainKey(OnnxNames.ClassMaps);
            Directory.GetFiles(Path.GetDirectoryName(path)!).Should().Equal(path);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    internal static void AssertSame(ScouterModel model, OnnxRun onnx, Tensor images, string what)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var expected = model.ForwardDetailed(images);
        var actual = onnx.Run(images);

        TensorCompare.ShouldMatch(actual[OnnxNames.Scores], expected.Scores, $"{what}: scores");
        TensorCompare.ShouldMatch(actual[OnnxNames.LogProbabilities], expected.LogProbabilities(), $"{what}: log-probabilities");
        if (expected.ClassMaps is { } maps)
        {
            TensorCompare.ShouldMatch(actual[OnnxNames.ClassMaps], maps, $"{what}: class maps");
            if (actual.TryGetValue(OnnxNames.UpsampledMaps, out var upsampled))
            {
                var reference = ExplanationMaps.Upsample(ExplanationMaps.NormalizeJointly(maps), images.shape[2], images.shape[3]);
                TensorCompare.ShouldMatch(upsampled, reference, $"{what}: normalised upsampled maps");
            }
        }
        else
        {
            actual.Should().NotContainKey(OnnxNames.ClassMaps);
        }
    }

    private sealed class DoublingLayer : nn.Module<Tensor, Tensor>
    {
        public DoublingLayer() : base(nameof(DoublingLayer))
        {
        }

        public override Tensor forward(Tensor input) => input * 2;
    }
}
