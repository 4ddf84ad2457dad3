using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class TrainerChannelsLastTests
{
    [Fact]
    public void Fit_TrainsOnChannelsLastWeights_AndHandsBackContiguousOnes()
    {
        manual_seed(3);
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 8, 3, padding: 1)), ("act", nn.ReLU()), ("pool", nn.MaxPool2d(2)));
        using var model = ScouterModel.Create(backbone, XSlotClassifier.Create(new ScouterOptions { Channels = 8, HiddenDim = 8, NumClasses = 4, SlotsPerClass = 1 }));
        using var data = new ToyData();
        using var trainer = new Trainer(model, ScouterLoss.Create(1, 2), new TrainingOptions { Epochs = 1, BatchSize = 8, OutputDir = null, Device = "cpu" });
        var convWeight = model.modules().OfType<Conv2d>().First().weight!;
        var layoutsSeen = new List<bool>();
        var progress = new SynchronousProgress(_ => layoutsSeen.Add(ChannelsLast.IsChannelsLast(convWeight)));

        trainer.Fit(data, progress);

        layoutsSeen.Should().NotBeEmpty().And.OnlyContain(channelsLast => channelsLast, "every batch runs on channels-last weights");
        model.modules().OfType<Conv2d>().Should().OnlyContain(conv => conv.weight!.is_contiguous(), "TorchSharp's Module.save needs contiguous tensors");
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
