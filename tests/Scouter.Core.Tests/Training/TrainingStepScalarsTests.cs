using Scouter.Core.Backbones;
using Scouter.Core.Compat;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

/// <summary>
/// A training step as <see cref="Trainer"/> takes it (zero_grad, forward, SCOUTER loss, backward, AdamW), and the
/// loader's batches that feed it, leave no native scalar to the finalizer. Before <see cref="ScalarSafeAdamW"/>, <see cref="ScalarSafeBatchNorm2d"/>
/// and the loss's own scalars, a resnet18 step left about 660 (AdamW 558–621, BatchNorm 40, loss 2–5).
/// </summary>
public sealed class TrainingStepScalarsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TrainingSteps_LeaveNoScalarToTheFinalizer(bool useSlot)
    {
        using var backbone = BackboneRegistry.Default.Create("resnet18", 1);
        ClassifierHead head = useSlot
            ? XSlotClassifier.Create(new ClassifierHeadOptions { Channels = backbone.Channels, NumClasses = 10 })
            : FcClassifierHead.Create(backbone.Channels, 10);
        using var model = ScouterModel.Create(backbone.Features, head);
        using var loss = ScouterLoss.Create(lambda: 1, power: 1);
        using var optimizer = new ScalarSafeAdamW(model.parameters(), lr: 1e-4, weight_decay: 1e-4);
        using var images = randn(2, 1, 32, 32);
        using var labels = tensor(new long[] { 1, 7 });
        model.train();
        model.modules().Count(m => m is BatchNorm).Should().Be(20, "resnet18 has 20 BatchNorm layers, each counting batches in training mode");
        Steps(model, loss, optimizer, images, labels, 1); // one-time initialisation outside the count

        using var listener = FinalizedScalars.Start();
        Steps(model, loss, optimizer, images, labels, 2);

        listener.CountAfterCollection().Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingBatches_FromTheLoader_LeaveNoScalarToTheFinalizer(bool augment)
    {
        // What feeds the step: rendering or decoding, resizing, augmentation and normalisation on the loader's workers.
        var data = DatasetFactory.Create(new DatasetOptions { Name = SyntheticShapesDataset.DatasetName, ImageSize = 32, Augment = augment, SyntheticTrainCount = 160, SyntheticValCount = 8 });
        var loader = data.TrainLoader(batchSize: 8, seed: 1, workers: 2);
        ReadEpoch(loader, 0);

        using var listener = FinalizedScalars.Start();
        ReadEpoch(loader, 1).Should().Be(20);

        listener.CountAfterCollection().Should().Be(0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int ReadEpoch(BatchLoader loader, int epoch)
    {
        var batches = 0;
        foreach (var batch in loader.Epoch(epoch))
        {
            using (batch)
            {
                batches++;
            }
        }

        return batches;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Steps(ScouterModel model, ScouterLoss loss, ScalarSafeAdamW optimizer, Tensor images, Tensor labels, int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var result = loss.call(model.ForwardDetailed(images), labels);
            result.Total.backward();
            optimizer.step();
        }
    }
}
