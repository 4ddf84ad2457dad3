using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

/// <summary><see cref="TrainingOptions.TensorBoardDir"/>: event files TensorBoard reads, checked with an independent reader.</summary>
public sealed class TrainerTensorBoardTests : IDisposable
{
    private readonly string outputDir = Directory.CreateTempSubdirectory("scouter-tensorboard-").FullName;

    public void Dispose() => Directory.Delete(outputDir, recursive: true);

    private static ScouterModel NewModel(bool useSlot)
    {
        manual_seed(3);
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 16, 3, padding: 1)), ("act", nn.ReLU()), ("pool", nn.MaxPool2d(2)));
        ClassifierHead head = useSlot
            ? XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 16, HiddenDim = 8, NumClasses = 4, SlotsPerClass = 1 })
            : FcClassifierHead.Create(16, 4);
        return ScouterModel.Create(backbone, head);
    }

    private (IReadOnlyList<EpochMetrics> History, string FileVersion, IReadOnlyList<TensorBoardValue> Values) Train(bool useSlot, int images)
    {
        var directory = Path.Combine(outputDir, useSlot ? "slot" : "fc");
        using var data = new ToyData();
        using var model = NewModel(useSlot);
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), new TrainingOptions
        {
            Epochs = 3, LearningRate = 1e-2, LrDrop = 2, BatchSize = 8, OutputDir = null, DatasetName = "Toy", Device = "cpu",
            TensorBoardDir = directory, TensorBoardImages = images,
        });

        var history = trainer.Fit(data);

        var file = Directory.GetFiles(directory).Should().ContainSingle().Subject;
        Path.GetFileName(file).Should().StartWith("events.out.tfevents.");
        var (version, values) = TensorBoardEvents.Read(file);
        return (history, version, values);
    }

    [Fact]
    public void Fit_WritesEveryEpochsScalars_AsTheHistoryHasThem()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (history, version, values) = Train(useSlot: true, images: 3);

        version.Should().Be("brain.Event:2");
        foreach (var epoch in history)
        {
            var step = epoch.Epoch + 1;
            float Scalar(string tag) => values.Should().ContainSingle(v => v.Tag == tag && v.Step == step, "{0} at step {1}", tag, step).Subject.Scalar!.Value;
            Scalar("loss/train").Should().Be((float)epoch.Train.Loss);
            Scalar("loss/validation").Should().Be((float)epoch.Validation.Loss);
            Scalar("accuracy/train").Should().Be((float)epoch.Train.Accuracy);
            Scalar("accuracy/validation").Should().Be((float)epoch.Validation.Accuracy);
            Scalar("nll/train").Should().Be((float)epoch.Train.Nll);
            Scalar("nll/validation").Should().Be((float)epoch.Validation.Nll);
            Scalar("area/train").Should().Be((float)epoch.Train.Area);
            Scalar("area/validation").Should().Be((float)epoch.Validation.Area);
            Scalar("learning_rate").Should().Be((float)epoch.LearningRate);
        }

        values.Where(v => v.Tag == "learning_rate").Select(v => v.Scalar).Should().Equal(1e-2f, 1e-2f, 1e-3f);
        values.Should().OnlyContain(v => v.WallTime >= before - 1 && v.WallTime <= DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1, "wall times are Unix seconds");
    }

    [Fact]
    public void Fit_XSlotModel_LogsTheExplanationsOfTheFirstValidationImagesEachEpoch()
    {
        var (_, _, values) = Train(useSlot: true, images: 3);

        var images = values.Where(v => v.Image is not null).ToList();
        images.Select(v => (v.Tag, v.Step)).Should().Equal(("explanations/predicted_class", 1L), ("explanations/predicted_class", 2L), ("explanations/predicted_class", 3L));
        foreach (var image in images)
        {
            // Three rows (images) of two 8×8 tiles (the image, its map over it) with 2-pixel borders: 22 × 32.
            using var png = SKBitmap.Decode(image.Image);
            png.Should().NotBeNull("the image is an encoded PNG");
            (png.Width, png.Height).Should().Be((22, 32));
            (image.ImageWidth, image.ImageHeight).Should().Be((22, 32));
            var left = png.GetPixel(3, 3);
            var right = png.GetPixel(2 + 8 + 2 + 1, 3);
            left.Should().NotBe(right, "the right tile has the heatmap blended over the picture");
        }

        images[0].Image.Should().NotEqual(images[2].Image, "the maps change as the model trains");
    }

    [Fact]
    public void Fit_FcModel_OrNoImagesRequested_LogsScalarsOnly()
    {
        var (_, _, fc) = Train(useSlot: false, images: 4);
        fc.Should().NotContain(v => v.Image != null).And.Contain(v => v.Tag == "accuracy/validation");

        var (_, _, none) = Train(useSlot: true, images: 0);
        none.Should().NotContain(v => v.Image != null).And.HaveCount(3 * 9);
    }

    [Fact]
    public void Options_RejectANegativeImageCount()
    {
        var act = () => TrainingOptionsValidator.ThrowIfInvalid(new TrainingOptions { Device = "cpu", TensorBoardImages = -1 });
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*TensorBoardImages must be at least 0; got -1*");
    }
}
