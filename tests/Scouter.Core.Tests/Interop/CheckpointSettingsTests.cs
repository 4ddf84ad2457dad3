using Scouter.Core.Data.Transforms;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

/// <summary>What a checkpoint says its model is: its args (official defaults where missing) and its weights' shapes.</summary>
public sealed class CheckpointSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("scouter-settings-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Read_OfficialCheckpoint_TakesEverySettingFromItsNamespace()
    {
        var settings = CheckpointSettings.Read(InteropFixtures.Path("scouter_tiny_checkpoint.pth"));

        settings.Should().Be(new CheckpointSettings
        {
            Model = "resnet18",
            Dataset = "Tiny",
            InputChannels = 3,
            ImageSize = 10,
            OutputStride = 32,
            UseSlot = true,
            NumClasses = 3,
            Channels = 6,
            HiddenDim = 8,
            SlotsPerClass = 2,
            ToKLayers = 2,
            Polarity = ScouterPolarity.Negative,
            Lambda = 1.5,
            Power = 1.0,
        });
        settings.Normalization.Should().BeSameAs(Normalization.ImageNet);
    }

    [Fact]
    public void Read_OfficialFcCheckpoint_IsAnFcModelWithTheClassifiersShape()
    {
        var settings = CheckpointSettings.Read(InteropFixtures.Path("scouter_tiny_no_slot_checkpoint.pth"));

        (settings.UseSlot, settings.NumClasses, settings.Channels, settings.ImageSize).Should().Be((false, 3, 6, 10));
    }

    [Fact]
    public void Read_ANamespaceWithoutSomeFlags_UsesTheOfficialDefaults_AndTheWeightsWhereTheyTell()
    {
        // Written by PyTorch: args lack img_size, channel, hidden_dim and to_k_layer; every key is under "module.".
        using var checkpoint = OfficialCheckpoint.Read(InteropFixtures.Path("official_args_partial.pth"));

        var fromArgs = CheckpointSettings.FromArgs(checkpoint.Args);
        var read = CheckpointSettings.Read(checkpoint);

        (fromArgs.ImageSize, fromArgs.Channels, fromArgs.HiddenDim, fromArgs.ToKLayers, fromArgs.OutputStride).Should().Be((260, 512, 64, 1, 32), "the official defaults");
        (fromArgs.InputChannels, fromArgs.Normalization).Should().Be((1, Normalization.Mnist), "MNIST takes the one-channel stem");
        read.Should().Be(fromArgs with { HiddenDim = 16, ToKLayers = 2 }, "the weights show d = 16 and two key layers; 20 slots are 10 classes of 2");
        read.Polarity.Should().Be(ScouterPolarity.Negative);
    }

    [Fact]
    public void FromArgs_NoArgsAtAll_IsTheOfficialDefaultModel()
    {
        var settings = CheckpointSettings.FromArgs(OfficialArgs.Empty);

        settings.Should().Be(new CheckpointSettings
        {
            Model = "resnet18", Dataset = "MNIST", InputChannels = 1, ImageSize = 260, NumClasses = 10, Channels = 512,
        });
        var defaults = new ClassifierHeadOptions();
        (settings.HiddenDim, settings.SlotsPerClass, settings.ToKLayers, settings.Polarity, settings.UseSlot)
            .Should().Be((defaults.HiddenDim, defaults.SlotsPerClass, defaults.ToKLayers, defaults.Polarity, defaults.UseSlot));
    }

    [Fact]
    public void Read_WhereArgsAndWeightsDisagree_TheWeightsDecide()
    {
        // A run that left --channel at 512 and asked for 10 classes of a data set that has 3.
        var path = Write(channels: 16, classes: 3, slotsPerClass: 2, new() { ["channel"] = 512L, ["num_classes"] = 10L, ["slots_per_class"] = 2L, ["dataset"] = "ImageFolder", [OfficialArgs.OutputStrideFlag] = 16L });

        var settings = CheckpointSettings.Read(path);

        (settings.Channels, settings.NumClasses, settings.InputChannels, settings.Dataset, settings.OutputStride).Should().Be((16, 3, 3, "ImageFolder", 16));
    }

    [Fact]
    public void Read_SlotsThatFitNeitherClassesNorSlotsPerClass_IsAFormatError()
    {
        var path = Write(channels: 16, classes: 3, slotsPerClass: 2, new() { ["num_classes"] = 4L, ["slots_per_class"] = 4L });

        FluentActions.Invoking(() => CheckpointSettings.Read(path)).Should().Throw<CheckpointFormatException>()
            .WithMessage("*6 slots*num_classes 4*slots_per_class 4*");
    }

    [Fact]
    public void ToArgs_DescribesTheSettingsByTheirOfficialNames()
    {
        var settings = CheckpointSettings.Read(InteropFixtures.Path("scouter_tiny_checkpoint.pth")) with { ImageSize = 48, OutputStride = 16 };

        var args = settings.ToArgs();

        args.GetString("model").Should().Be("resnet18");
        (args.GetInt("img_size"), args.GetInt("output_stride"), args.GetInt("loss_status"), args.GetInt("slots_per_class")).Should().Be((48, 16, -1, 2));
        CheckpointSettings.FromArgs(args).Should().Be(settings);
    }

    /// <summary>An xSlot model on a one-conv backbone named like a ResNet stem, written with the given args.</summary>
    private string Write(int channels, int classes, int slotsPerClass, Dictionary<string, object?> args)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".pth");
        using var backbone = nn.Sequential(("conv1", nn.Conv2d(3, channels, 3, stride: 2)));
        using var model = ScouterModel.Create(backbone, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = channels, NumClasses = classes, SlotsPerClass = slotsPerClass, HiddenDim = 8 }));
        OfficialCheckpoint.Write(path, model, new OfficialArgs(args));
        return path;
    }
}
