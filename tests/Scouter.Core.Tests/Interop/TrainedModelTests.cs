using Scouter.Core.Backbones;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Data;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

/// <summary>A model back from its checkpoint alone: architecture, stem, input size and normalisation from the file.</summary>
public sealed class TrainedModelTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    // Official args as train.py pickles them: sweep flags as strings, no flag of ours.
    private static OfficialArgs MnistArgs(int imageSize, string model = "resnet18", long? outputStride = null)
    {
        var values = new Dictionary<string, object?>
        {
            ["model"] = model, ["dataset"] = "MNIST", ["img_size"] = (long)imageSize, ["num_classes"] = "3", ["use_slot"] = true,
            ["slots_per_class"] = "2", ["hidden_dim"] = 32L, ["to_k_layer"] = 2L, ["loss_status"] = -1L, ["channel"] = 512L,
            ["lambda_value"] = "1.", ["power"] = "2", ["dataset_dir"] = "../PAN/bird_200/CUB_200_2011/CUB_200_2011/",
        };
        if (outputStride is { } stride)
        {
            values["output_stride"] = stride;
        }

        return new OfficialArgs(values);
    }

    /// <summary>
    /// A resnet18 with the MNIST stem and a negative xSlot head (d 32, 2 slots per class, 2 key layers), random weights,
    /// written as an official checkpoint trained at <paramref name="imageSize"/> px.
    /// </summary>
    private Original Written(int imageSize)
    {
        manual_seed(11);
        var backbone = BackboneRegistry.Default.Create("resnet18", inputChannels: 1);
        var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 512, NumClasses = 3, SlotsPerClass = 2, HiddenDim = 32, ToKLayers = 2, Polarity = ScouterPolarity.Negative });
        var model = ScouterModel.Create(backbone.Features, head);
        model.eval();
        var path = folder.PathOf($"MNIST_{imageSize}px.pth");
        OfficialCheckpoint.Write(path, model, MnistArgs(imageSize));
        return new Original(model, backbone, path);
    }

    private string ColourImage()
    {
        manual_seed(3);
        using var pixels = randint(0, 256, [3, 29, 37]).to(ScalarType.Byte);
        return folder.WriteImage("digit.png", pixels);
    }

    [Fact]
    public void Load_ExplainsAnImageAsTheTrainedModelDoesAtItsTrainedSize()
    {
        using var written = Written(imageSize: 40);
        var (original, path) = (written.Model, written.Path);
        var image = ColourImage();

        using var trained = TrainedModel.Load(path);
        using var output = trained.Explain(image);

        // The pipeline by hand: the file as one-channel luma, resized to 40 px, MNIST normalisation, the original model.
        using var decoded = ImageDecoder.Read(image, rgb: false);
        using var input = ImageTransform.Create(40, Normalization.Mnist).Apply(decoded).unsqueeze(0);
        using var expected = WithoutGradients(() => original.ForwardDetailed(input));
        (trained.Settings.InputChannels, trained.Settings.ImageSize, trained.Preprocessor.ImageSize, trained.Preprocessor.Channels).Should().Be((1, 40, 40, 1));
        trained.Model.Head.Should().BeOfType<XSlotClassifier>().Which.Polarity.Should().Be(ScouterPolarity.Negative);
        TensorAssert.Identical(output.Scores, expected.Scores).Should().BeTrue();
        TensorAssert.Identical(output.ClassMaps!, expected.ClassMaps!).Should().BeTrue();

        // At the default 260 px the same weights answer differently: the size is part of the model.
        using var atDefault = WithoutGradients(() => original.ForwardDetailed(ImageTransform.Create(260, Normalization.Mnist).Apply(decoded).unsqueeze(0)));
        TensorAssert.Identical(output.Scores, atDefault.Scores).Should().BeFalse();
    }

    [Fact]
    public void Explain_ADecodedColourTensor_GivesWhatTheFileGives()
    {
        using var written = Written(imageSize: 36);
        var path = written.Path;
        var image = ColourImage();
        using var rgb = ImageDecoder.Read(image, rgb: true);

        using var trained = TrainedModel.Load(path);
        using var fromFile = trained.Explain(image);
        using var fromTensor = trained.Explain(rgb);

        TensorAssert.Identical(fromTensor.Scores, fromFile.Scores).Should().BeTrue();
    }

    [Fact]
    public void Create_WithChangedSettings_BuildsThatModel_AndRefusesWhatTheWeightsDoNotFit()
    {
        using var written = Written(imageSize: 40);
        var path = written.Path;
        using var checkpoint = OfficialCheckpoint.Read(path);
        var settings = CheckpointSettings.Read(checkpoint);

        using (var larger = TrainedModel.Create(checkpoint, settings with { ImageSize = 96 }))
        {
            larger.Preprocessor.ImageSize.Should().Be(96);
        }

        FluentActions.Invoking(() => TrainedModel.Create(checkpoint, settings with { Model = "resnet34" }))
            .Should().Throw<StateDictMismatchException>();
        using (var finer = TrainedModel.Create(checkpoint, settings with { OutputStride = 16 }))
        using (var output = finer.Explain(ColourImage()))
        {
            output.ClassMaps!.shape[2..].Should().Equal([3, 3], "40 px at output stride 16: the same weights, a map twice as fine");
        }

        FluentActions.Invoking(() => TrainedModel.Create(checkpoint, settings with { Model = "resnet50" }))
            .Should().Throw<ArgumentException>().WithMessage("*reads 512 feature channels*resnet50 gives 2048*");
    }

    private static HeadOutput WithoutGradients(Func<HeadOutput> forward)
    {
        using var noGrad = no_grad();
        return forward();
    }

    private sealed record Original(ScouterModel Model, Backbone Backbone, string Path) : IDisposable
    {
        public void Dispose()
        {
            Model.Dispose();
            Backbone.Dispose();
        }
    }
}
