using Scouter.Core.Backbones;
using Scouter.Core.Onnx.Export;
using Scouter.Core.Options;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;
using G = Scouter.Core.Onnx.Export.OnnxGraphBuilder;

namespace Scouter.Core.Onnx.Tests;

/// <summary>
/// Imported ONNX graphs compute what ONNX Runtime computes from the same file (to 1e-4 relative), train, and serve as
/// SCOUTER backbones: the ML.NET ImageNet ResNet-18 (a CNTK export with asymmetric pads) and small graphs covering every
/// supported operator.
/// </summary>
public sealed class OnnxGraphModuleTests
{
    [Fact]
    public void MlNetResNet18_ImportedForward_EqualsOnnxRuntime_AtTheCutAndAtTheGraphOutput()
    {
        var bytes = File.ReadAllBytes(OnnxTestGraphs.MlNetResNet18Path);
        using var onnx = new OnnxRun(OnnxTestGraphs.WithOutputs(bytes, OnnxBackbones.MlNetResNet18FeatureMap));
        using var features = OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = OnnxBackbones.MlNetResNet18FeatureMap });
        using var pooled = OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = "Pooling395_Output_0" });
        features.eval();
        pooled.eval();

        // What the package's preprocessing model produces: BGR pixel values minus a mean of about 100–130.
        manual_seed(1);
        using var input = rand(2, 3, 224, 224) * 255 - 115;
        var expected = onnx.Run(input, "Input247");
        using var noGrad = no_grad();
        using var map = features.call(input);
        using var vector = pooled.call(input);

        map.shape.Should().Equal(2, 512, 7, 7);
        TensorCompare.ShouldMatch(map, expected[OnnxBackbones.MlNetResNet18FeatureMap], "ResNet-18 feature map");
        TensorCompare.ShouldMatch(vector, expected["Pooling395_Output_0"], "ResNet-18 pooled features");
        features.InputName.Should().Be("Input247");
        features.InputShape.Should().Equal(1, 3, 224, 224);
        features.named_parameters().Select(p => p.name).Should().Contain(["Convolution249.weight", "BatchNormalization251.weight"]);
        features.named_buffers().Select(b => b.name).Should().Contain("BatchNormalization251.running_mean");
    }

    [Fact]
    public void MlNetResNet18_DefaultCut_IsTheMapBeforeThePooling_AndItTrainsAsAScouterBackbone()
    {
        using var backbone = OnnxBackbones.Create(OnnxTestGraphs.MlNetResNet18Path, new OnnxImportOptions { InputConversion = OnnxInputConversion.MlNetResNet });
        ((OnnxGraphModule)backbone.Features).OutputName.Should().Be(OnnxBackbones.MlNetResNet18FeatureMap);
        backbone.Channels.Should().Be(512);
        backbone.InputChannels.Should().Be(3);
        backbone.CountParameters().Trainable.Should().Be(11_176_512 + 2 * (512 * 512 * 9 + 2 * 512), "a ResNet-18 cut before pooling, with the third block of layer4 that this CNTK model has ([2, 2, 2, 3] blocks)");

        using var model = ScouterModel.Create(backbone.Features, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 512, NumClasses = 3, SlotsPerClass = 1 }));
        var parameters = backbone.Features.parameters().ToList();
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        manual_seed(2);
        using var images = TestModels.SyntheticImages(4, 64);
        using var labels = tensor(new long[] { 0, 1, 2, 0 });
        var before = parameters.Select(p => p.detach().clone()).ToList();
        model.train();
        using (var scope = NewDisposeScope())
        {
            var output = model.ForwardDetailed(images);
            output.ClassMaps!.shape.Should().Equal(4, 3, 2, 2);
            nn.functional.cross_entropy(output.Scores, labels).backward();
            optimizer.step();
        }

        parameters.Zip(before).Count(pair => !pair.First.allclose(pair.Second, rtol: 0, atol: 0)).Should().Be(parameters.Count, "every imported weight trains");
        before.ForEach(t => t.Dispose());

        // The fine-tuned model, ImageNet backbone included, deploys to ONNX with its explanations.
        model.eval();
        using var onnx = new OnnxRun(ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64 }));
        ScouterOnnxExporterTests.AssertSame(model, onnx, images, "ML.NET ResNet-18 + xSlot head, fine-tuned one step");
    }

    [Fact]
    public void InputConversion_IsTheMlNetPreprocessing_OfImageNetNormalisedImages()
    {
        // ImageNet-normalised RGB → RGB pixels → BGR → minus the per-channel means: here checked on one pixel per channel.
        var conversion = OnnxInputConversion.MlNetResNet;
        var graph = new G();
        var input = graph.Input("x", [null, 3, 1, 1]);
        graph.Output(graph.Node("Identity", "id", [input]), "y", [null, 3, 1, 1]);
        var bytes = OnnxTestGraphs.Model(graph);
        using var module = OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = "id", InputConversion = conversion });

        float[] rgb = [0.2f, 0.5f, 0.9f];
        using var normalised = Scouter.Core.Data.Transforms.Normalization.ImageNet.Apply(tensor(rgb).view(1, 3, 1, 1));
        using var converted = module.call(normalised);

        converted.flatten().data<float>().ToArray().Should().BeEquivalentTo(
            new[] { 0.9f * 255 - 103.06262f, 0.5f * 255 - 115.902885f, 0.2f * 255 - 123.151634f },
            o => o.WithStrictOrdering().Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-3f)).WhenTypeIs<float>());
    }

    [Fact]
    public void SmallGraph_WithEveryOperator_EqualsOnnxRuntime()
    {
        manual_seed(4);
        var graph = new G();
        var x = graph.Input("x", [null, 3, 17, 14]);
        // Asymmetric and SAME pads, stride, dilation, groups; batch norm; both poolings with asymmetric pads; Pad; Concat; Add.
        var a = graph.Node("Conv", "conv_a", [x, OnnxTestGraphs.Weight(graph, "wa", 16, 3, 3, 3), OnnxTestGraphs.Weight(graph, "ba", 16)],
            G.Ints("pads", [2, 1, 1, 2]), G.Ints("strides", [2, 1]));
        var bn = graph.Node("BatchNormalization", "bn", [a, Positive(graph, "s", 16), OnnxTestGraphs.Weight(graph, "b", 16), OnnxTestGraphs.Weight(graph, "m", 16), Positive(graph, "v", 16)],
            G.Float("epsilon", 1e-3f), G.Float("momentum", 0.8f));
        var relu = graph.Node("Relu", "relu", [bn]);
        var same = graph.Node("Conv", "conv_same", [relu, OnnxTestGraphs.Weight(graph, "ws", 16, 4, 3, 3)], G.Text("auto_pad", "SAME_UPPER"), G.Ints("strides", [2, 2]), G.Int("group", 4));
        var dilated = graph.Node("Conv", "conv_dilated", [relu, OnnxTestGraphs.Weight(graph, "wd", 16, 16, 3, 3)], G.Ints("pads", [2, 2, 2, 2]), G.Ints("dilations", [2, 2]), G.Ints("strides", [2, 2]));
        var sum = graph.Node("Add", "add", [same, dilated]);
        var max = graph.Node("MaxPool", "max", [sum], G.Ints("kernel_shape", [3, 3]), G.Ints("strides", [1, 1]), G.Ints("pads", [1, 0, 0, 1]));
        var average = graph.Node("AveragePool", "avg", [sum], G.Ints("kernel_shape", [3, 3]), G.Ints("strides", [1, 1]), G.Ints("pads", [0, 1, 1, 0]), G.Int("count_include_pad", 0));
        var padded = graph.Node("Pad", "pad", [max, graph.Int64s(0, 0, 1, 0, 0, 0, 0, 2)], G.Text("mode", "reflect"));
        var paddedAverage = graph.Node("Pad", "pad_avg", [average, graph.Int64s(0, 0, 1, 0, 0, 0, 0, 2)]);
        var joined = graph.Node("Concat", "concat", [padded, paddedAverage], G.Int("axis", 1));
        var pooled = graph.Node("GlobalAveragePool", "gap", [joined]);
        var flat = graph.Node("Flatten", "flatten", [pooled], G.Int("axis", 1));
        var logits = graph.Node("Gemm", "gemm", [flat, OnnxTestGraphs.Weight(graph, "wg", 32, 5), OnnxTestGraphs.Weight(graph, "bg", 5)], G.Float("alpha", 0.5f), G.Float("beta", 2f));
        graph.Output(logits, "logits", [null, 5]);
        var bytes = OnnxTestGraphs.Model(graph);

        using var onnx = new OnnxRun(OnnxTestGraphs.WithOutputs(bytes, joined));
        using var module = OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = "gemm" });
        using var cut = OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = joined });
        module.eval();
        cut.eval();
        using var images = randn(5, 3, 17, 14);
        var expected = onnx.Run(images);
        using var noGrad = no_grad();

        TensorCompare.ShouldMatch(cut.call(images), expected[joined], "feature map (Conv … Concat)");
        TensorCompare.ShouldMatch(module.call(images), expected["logits"], "logits (… Gemm)");

        // And back: the imported graph as the backbone of a SCOUTER model exports again, every operator included.
        using var model = TestModels.Compose(OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = joined }), 32, "xslot+");
        using var exported = new OnnxRun(ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = 17, ImageWidth = 14 }));
        ScouterOnnxExporterTests.AssertSame(model, exported, images, "imported small graph re-exported with an xSlot head");
        module.named_parameters().Select(p => p.name).Should().Equal(
            "conv_a.weight", "conv_a.bias", "bn.weight", "bn.bias", "conv_same.weight", "conv_dilated.weight", "gemm.weight", "gemm.bias");
    }

    [Fact]
    public void Import_ReportsUnsupportedNodesBadCutsAndBadFiles()
    {
        var graph = new G();
        var x = graph.Input("x", [null, 3, 8, 8]);
        var soft = graph.Node("Softmax", "soft", [x], G.Int("axis", 1));
        var relu = graph.Node("Relu", "relu", [soft]);
        graph.Output(relu, "y", [null, 3, 8, 8]);
        var bytes = OnnxTestGraphs.Model(graph);

        FluentActions.Invoking(() => OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = "relu" }))
            .Should().Throw<NotSupportedException>().WithMessage("*'soft' (Softmax) is not supported*Cut the graph before it*");
        FluentActions.Invoking(() => OnnxGraphModule.FromBytes(bytes, new OnnxImportOptions { OutputName = "nowhere" }))
            .Should().Throw<InvalidDataException>().WithMessage("*no node output named 'nowhere'*relu*");
        FluentActions.Invoking(() => OnnxGraphModule.FromBytes(bytes))
            .Should().Throw<InvalidDataException>().WithMessage("*no global or average pooling*OutputName*");
        FluentActions.Invoking(() => OnnxGraphModule.FromBytes([1, 2, 3, 4, 5], source: "junk.onnx"))
            .Should().Throw<InvalidDataException>().WithMessage("junk.onnx is not an ONNX model*");
        FluentActions.Invoking(() => OnnxGraphModule.Load("/nonexistent/model.onnx"))
            .Should().Throw<FileNotFoundException>().WithMessage("*/nonexistent/model.onnx not found*");
    }

    [Fact]
    public void Registry_CreatesTheRegisteredOnnxBackbone()
    {
        var registry = new BackboneRegistry();
        OnnxBackbones.Register(registry, "mlnet_resnet18", OnnxTestGraphs.MlNetResNet18Path, new OnnxImportOptions { InputConversion = OnnxInputConversion.MlNetResNet });

        using var backbone = registry.Create("MLNET_RESNET18");
        backbone.Name.Should().Be("mlnet_resnet18");
        backbone.Channels.Should().Be(512);
    }

    private static string Positive(G graph, string name, long channels)
    {
        using var values = rand(channels) + 0.5;
        return graph.Initializer(name, values);
    }
}
