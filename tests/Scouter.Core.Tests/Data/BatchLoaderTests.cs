using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Loading;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class BatchLoaderTests
{
    private static SyntheticShapesDataset Synthetic(int count = 23) =>
        (SyntheticShapesDataset)SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = 24, TrainCount = count, ValCount = 5 }).Train;

    private static List<(float[] Images, long[] Labels, int[] Indices)> Collect(BatchLoader loader, int epoch)
    {
        var result = new List<(float[], long[], int[])>();
        foreach (var batch in loader.Epoch(epoch))
        {
            using (batch)
            {
                result.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Indices.ToArray()));
            }
        }

        return result;
    }

    [Fact]
    public void Training_ShufflesAndDropsTheIncompleteBatch()
    {
        var data = Synthetic(23);
        var loader = new BatchLoader(data, data.TrainingTransform(16, augment: false), BatchLoaderOptions.ForTraining(5, seed: 1, workers: 0));

        var batches = Collect(loader, 0);

        loader.BatchesPerEpoch.Should().Be(4);
        batches.Should().HaveCount(4).And.OnlyContain(b => b.Indices.Length == 5);
        var seen = batches.SelectMany(b => b.Indices).ToArray();
        seen.Should().OnlyHaveUniqueItems();
        seen.Should().NotBeInAscendingOrder();
        batches.SelectMany(b => b.Labels).Should().Equal(seen.Select(i => (long)data.GetLabel(i)));
        Collect(loader, 1).SelectMany(b => b.Indices).Should().NotEqual(seen, "each epoch has its own order");
    }

    [Fact]
    public void Batches_CarryEveryObjectWithItsClassBoxAndMask()
    {
        var scenes = (SyntheticScenesDataset)SyntheticScenesDataset.Create(new SyntheticShapesOptions { ImageSize = 32, TrainCount = 6, ValCount = 2 }).Train;
        using var rendered = scenes.Render(0, 6);
        var most = rendered.ShapeClasses.Max(c => c.Count);
        var loader = new BatchLoader(scenes, scenes.EvaluationTransform(32), BatchLoaderOptions.ForEvaluation(6, workers: 2));
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                batch.ObjectMasks!.shape.Should().Equal(6, most, 32, 32);
                for (var i = 0; i < 6; i++)
                {
                    batch.Objects[i].Select(o => o.Class).Should().Equal(rendered.ShapeClasses[i]);
                    batch.Objects[i].Select(o => o.Box).Should().Equal(rendered.ShapeBoxes[i]);
                    batch.Boxes[i].Should().Equal([rendered.ShapeBoxes[i][0]], "the label's boxes are its own shape's");
                    batch.ObjectMasks[i].eq(rendered.ShapeMasks[i].narrow(0, 0, most)).all().item<bool>().Should().BeTrue();
                }
            }
        }

        // At twice the size, boxes double and each mask covers about four times the pixels.
        var doubled = new BatchLoader(scenes, scenes.EvaluationTransform(64), BatchLoaderOptions.ForEvaluation(6, workers: 0));
        using var areas = rendered.ShapeMasks.sum([2L, 3L]).to(ScalarType.Float32);
        foreach (var batch in doubled.Epoch(0))
        {
            using (batch)
            {
                batch.ObjectMasks!.shape.Should().Equal(6, most, 64, 64);
                batch.Objects[0][0].Box.Should().Be(rendered.ShapeBoxes[0][0].Scale(32, 32, 64, 64));
                using var ratio = batch.ObjectMasks.sum([2L, 3L]).to(ScalarType.Float32) / areas.clamp_min(1);
                using var present = areas.gt(0);
                using var ratios = ratio.masked_select(present);
                ratios.min().item<float>().Should().BeGreaterThan(3.4f);
                ratios.max().item<float>().Should().BeLessThan(4.6f);
            }
        }

        // The one-shape set: one object, the label, whose mask is ReadMask's.
        var shapes = Synthetic(4);
        var single = new BatchLoader(shapes, shapes.EvaluationTransform(24), BatchLoaderOptions.ForEvaluation(4, workers: 0));
        foreach (var batch in single.Epoch(0))
        {
            using (batch)
            {
                batch.Objects.Select(o => o.Single().Class).Should().Equal(Enumerable.Range(0, 4).Select(shapes.GetLabel));
                using var mask = shapes.ReadMask(2);
                batch.ObjectMasks![2, 0].eq(mask).all().item<bool>().Should().BeTrue();
            }
        }
    }

    [Fact]
    public void Evaluation_KeepsIndexOrderAndTheLastBatch()
    {
        var data = Synthetic(23);
        var loader = new BatchLoader(data, data.EvaluationTransform(16), BatchLoaderOptions.ForEvaluation(5, workers: 0));
        var batches = Collect(loader, 0);
        batches.Select(b => b.Indices.Length).Should().Equal(5, 5, 5, 5, 3);
        batches.SelectMany(b => b.Indices).Should().Equal(Enumerable.Range(0, 23));
    }

    [Fact]
    public void Batches_HoldTheTransformedImagesOfTheirIndices()
    {
        var data = Synthetic(6);
        var transform = data.EvaluationTransform(16);
        var loader = new BatchLoader(data, transform, BatchLoaderOptions.ForEvaluation(4, workers: 2));
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                batch.Images.shape.Should().Equal(batch.Count, 3, 16, 16);
                using var raw = data.ReadImage(batch.Indices[1]);
                using var expected = transform.Apply(raw);
                TensorAssert.Close(batch.Images[1], expected, rtol: 0, atol: 0);
                batch.OriginalSizes[1].Should().Be((24, 24));
                batch.Boxes[1].Should().Equal(data.GetBoxes(batch.Indices[1]).Select(b => b.Scale(24, 24, 16, 16)));
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    public void Parallel_EqualsSerial_WithAugmentation(int workers, int prefetch)
    {
        var data = Synthetic(23);
        var transform = data.TrainingTransform(20, augment: true);
        var serial = Collect(new BatchLoader(data, transform, new BatchLoaderOptions { BatchSize = 4, Shuffle = true, DropLast = true, Seed = 9, Workers = 0 }), 2);
        var parallel = Collect(new BatchLoader(data, transform, new BatchLoaderOptions { BatchSize = 4, Shuffle = true, DropLast = true, Seed = 9, Workers = workers, Prefetch = prefetch }), 2);

        parallel.Should().HaveCount(serial.Count);
        for (var b = 0; b < serial.Count; b++)
        {
            parallel[b].Indices.Should().Equal(serial[b].Indices);
            parallel[b].Images.Should().Equal(serial[b].Images, $"batch {b} must be bit-identical");
        }
    }

    [Fact]
    public void Augmentation_DiffersBetweenEpochsAndSeeds()
    {
        var data = Synthetic(8);
        var transform = data.TrainingTransform(20, augment: true);
        BatchLoader Loader(int seed) => new(data, transform, new BatchLoaderOptions { BatchSize = 8, Seed = seed, Workers = 0 });
        var epoch0 = Collect(Loader(1), 0)[0].Images;
        Collect(Loader(1), 0)[0].Images.Should().Equal(epoch0);
        Collect(Loader(1), 1)[0].Images.Should().NotEqual(epoch0);
        Collect(Loader(2), 0)[0].Images.Should().NotEqual(epoch0);
    }

    private static (FileImageDataset Data, string BadPath) FilesWithOneCorrupt(TempFolder folder)
    {
        var records = new List<ImageRecord>();
        for (var i = 0; i < 6; i++)
        {
            records.Add(new ImageRecord(folder.WriteImage($"img{i}.png", 10, 8, (byte)(i * 40)), i % 2, []));
        }

        var bad = folder.PathOf("img3.png");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..30]);
        return (new FileImageDataset("Test", DatasetSplit.Train, ["a", "b"], records), bad);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void CorruptImage_IsSkippedWithOneWarningAndCounted(int workers)
    {
        using var folder = new TempFolder();
        var (data, bad) = FilesWithOneCorrupt(folder);
        var logger = new ListLogger<BatchLoader>();
        var loader = new BatchLoader(data, data.EvaluationTransform(8), BatchLoaderOptions.ForEvaluation(4, workers), logger);

        for (var epoch = 0; epoch < 2; epoch++)
        {
            var batches = Collect(loader, epoch);
            batches.SelectMany(b => b.Indices).Should().Equal(0, 1, 2, 4, 5);
        }

        loader.SkippedImages.Should().Be(1);
        loader.SkippedReasons.Should().ContainKey(3);
        logger.Messages.Should().ContainSingle().Which.Should().Contain(bad).And.Contain("1 image(s)");
    }

    [Fact]
    public void TruncatedJpeg_AndAnImageOverThePixelLimit_AreSkippedWithAWarningEach()
    {
        using var folder = new TempFolder();
        var records = new List<ImageRecord>();
        for (var i = 0; i < 5; i++)
        {
            using var noise = randint(0, 256, [3, 64, 64], ScalarType.Byte);
            records.Add(new ImageRecord(folder.WriteImage($"img{i}.jpg", noise), i % 2, []));
        }

        var cut = records[1].Path;
        File.WriteAllBytes(cut, File.ReadAllBytes(cut)[..(int)(new FileInfo(cut).Length * 2 / 3)]);
        var huge = records[3].Path;
        var data = new FileImageDataset("Test", DatasetSplit.Train, ["a", "b"], records);
        File.WriteAllBytes(huge, ImageFixtures.PngHeader(20000, 20000)); // a 1 MB file of this size drove the decoder to 7 GB
        var logger = new ListLogger<BatchLoader>();
        var loader = new BatchLoader(data, data.EvaluationTransform(8), BatchLoaderOptions.ForEvaluation(2, workers: 2), logger);

        Collect(loader, 0).SelectMany(b => b.Indices).Should().Equal(0, 2, 4);

        loader.SkippedImages.Should().Be(2);
        logger.Messages.Should().HaveCount(2);
        logger.Messages.Should().ContainSingle(m => m.Contains(cut) && m.Contains("no end-of-image marker"));
        logger.Messages.Should().ContainSingle(m => m.Contains(huge) && m.Contains("decoding limit"));
    }

    [Fact]
    public void CorruptImage_WithFailOption_ReachesTheConsumer()
    {
        using var folder = new TempFolder();
        var (data, bad) = FilesWithOneCorrupt(folder);
        var loader = new BatchLoader(data, data.EvaluationTransform(8), new BatchLoaderOptions { BatchSize = 2, Workers = 2, FailOnCorruptImage = true });

        var act = () => Collect(loader, 0);

        act.Should().Throw<CorruptImageException>().Which.ImagePath.Should().Be(bad);
    }

    [Fact]
    public void WorkerError_IsRethrownAtItsBatch()
    {
        var data = new FailingDataset(failAt: 5);
        var loader = new BatchLoader(data, data.EvaluationTransform(4), BatchLoaderOptions.ForEvaluation(2, workers: 2));
        var received = new List<int>();
        var act = () =>
        {
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                {
                    received.AddRange(batch.Indices);
                }
            }
        };

        act.Should().Throw<InvalidOperationException>().WithMessage("boom at 5");
        received.Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public void Cancellation_StopsTheEpoch()
    {
        var data = Synthetic(40);
        var loader = new BatchLoader(data, data.EvaluationTransform(8), BatchLoaderOptions.ForEvaluation(2, workers: 2));
        using var cancel = new CancellationTokenSource();
        var count = 0;
        var act = () =>
        {
            foreach (var batch in loader.Epoch(0, cancel.Token))
            {
                using (batch)
                {
                    if (++count == 3)
                    {
                        cancel.Cancel();
                    }
                }
            }
        };

        act.Should().Throw<OperationCanceledException>();
        count.Should().Be(3);
    }

    [Fact]
    public void LeavingEarly_FreesEveryPrefetchedBatch_AndUnkeptBatchesAreFreedByTheLoader()
    {
        var data = Synthetic(40);
        var loader = new BatchLoader(data, data.EvaluationTransform(8), new BatchLoaderOptions { BatchSize = 2, Workers = 2, Prefetch = 4 });
        Collect(loader, 0); // warm up lazily created native state
        var before = LiveTensors.Count();

        ImageBatch? kept = null;
        foreach (var batch in loader.Epoch(0))
        {
            kept = batch.Keep();
            break;
        }

        foreach (var batch in loader.Epoch(0))
        {
            using var step = NewDisposeScope();
            _ = batch.Images * 2; // a step's temporaries belong to the step's scope, the batch to the loader
        }

        LiveTensors.Count().Should().Be(before + 3, "only the kept batch's images, labels and object masks are alive");
        kept!.Dispose();
        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Loader_RejectsATransformForAnotherChannelCount()
    {
        var data = Synthetic();
        var act = () => new BatchLoader(data, ImageTransform.Create(8, Normalization.Mnist), new BatchLoaderOptions());
        act.Should().Throw<ArgumentException>().WithMessage("*3 channel(s)*normalises 1*");
    }

    [Fact]
    public void Options_OutOfRange_AreRejected()
    {
        var data = Synthetic();
        var act = () => new BatchLoader(data, data.EvaluationTransform(8), new BatchLoaderOptions { BatchSize = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*batch_size*");
    }

    private sealed class FailingDataset(int failAt) : ImageDataset
    {
        public override string Name => "Failing";

        public override DatasetSplit Split => DatasetSplit.Val;

        public override IReadOnlyList<string> ClassNames => ["x"];

        public override int Count => 10;

        public override int Channels => 3;

        public override int GetLabel(int index) => 0;

        public override Tensor ReadImage(int index) =>
            index == failAt ? throw new InvalidOperationException($"boom at {index}") : zeros([3, 4, 4], ScalarType.Byte);
    }
}
