using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Data;
using Scouter.Core.Tests.Support;
using Scouter.Harness;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Bulk;

public sealed class BulkExplainerTests : IDisposable
{
    private const int Size = 16;
    private const int Classes = 3;

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A conv (stride 2) and an xSlot head: 16 px images give 8×8 maps.</summary>
    private static ScouterModel TinyModel(ScouterPolarity polarity = ScouterPolarity.Positive)
    {
        manual_seed(7);
        var backbone = nn.Sequential(("conv", nn.Conv2d(3, 6, 3, stride: 2, padding: 1)), ("act", nn.ReLU()));
        return ScouterModel.Create(backbone, XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 6, HiddenDim = 8, NumClasses = Classes, SlotsPerClass = 1, Polarity = polarity }));
    }

    private static ImageDataset Val(int count, int size = Size) =>
        SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = size, NumClasses = Classes, TrainCount = 1, ValCount = count, Seed = 3 }).Val;

    private static BulkExplanationOptions Serial(int batchSize = 4, int topK = 1) => new() { BatchSize = batchSize, Workers = 0, TopK = topK, FlushToDisk = false };

    [Theory]
    [InlineData(ScouterPolarity.Positive)]
    [InlineData(ScouterPolarity.Negative)]
    public void Records_MatchADirectForwardPassOfEachImage(ScouterPolarity polarity)
    {
        using var model = TinyModel(polarity);
        model.eval();
        var val = Val(10);
        var transform = val.EvaluationTransform(Size);
        var path = folder.PathOf("val.jsonl");

        var summary = new BulkExplainer(model, Serial(topK: 2)).Run(val, transform, path);

        summary.Written.Should().Be(10);
        summary.Complete.Should().BeTrue();
        var records = ExplanationRecord.ReadAll(path).ToList();
        records.Select(r => r.Id).Should().Equal(Enumerable.Range(0, 10).Select(i => $"val/{i}"));
        foreach (var record in records)
        {
            // The expected values come from this image alone, through the model and ExplanationMaps directly.
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var raw = val.ReadImage(record.Index);
            var output = model.ForwardDetailed(transform.Apply(raw).unsqueeze(0));
            var probabilities = nn.functional.softmax(output.Scores, 1)[0].data<float>().ToArray();
            var chosen = ClassSelection.ForPolarity(output.Scores, 2, polarity)[0].data<long>().ToArray();
            var uint8 = ExplanationMaps.ToOfficialUInt8(output.ClassMaps!)[0];

            record.Label.Should().Be(record.Index % Classes, "the synthetic set labels image i with class i mod n");
            record.LabelName.Should().Be(((SyntheticShape)record.Label!.Value).ToString());
            record.Probabilities.Sum().Should().BeApproximately(1f, 1e-5f);
            record.Probabilities.Should().Equal(probabilities, (a, b) => Math.Abs(a - b) < 1e-5f);
            record.Prediction.Should().Be(Array.IndexOf(record.Probabilities.ToArray(), record.Probabilities.Max()));
            record.Polarity.Should().Be(polarity == ScouterPolarity.Negative ? "negative" : "positive");
            record.MapSize.Should().Equal(8, 8);
            record.Maps.Select(m => (long)m.Class).Should().Equal(chosen);
            foreach (var map in record.Maps)
            {
                using var expected = uint8[map.Class];
                var pixels = map.Pixels();
                pixels.Should().Equal(expected.contiguous().bytes.ToArray(), $"image {record.Id} class {map.Class}");
                map.Probability.Should().Be(record.Probabilities[map.Class]);
                map.AreaSize.Should().BeApproximately((float)(pixels.Sum(v => (double)v) / (64 * 255.0)), 1e-6f, "area = Σ map / (h·w·255)");
            }
        }
    }

    [Fact]
    public void MapSize_ResizesTheEightBitMapsWithPillowsBilinear()
    {
        using var model = TinyModel();
        var val = Val(3);
        var transform = val.EvaluationTransform(Size);
        var small = folder.PathOf("small.jsonl");
        var large = folder.PathOf("large.jsonl");
        var options = Serial();
        new BulkExplainer(model, options).Run(val, transform, small);
        options.MapSize = 16;

        new BulkExplainer(model, options).Run(val, transform, large);

        foreach (var (a, b) in ExplanationRecord.ReadAll(small).Zip(ExplanationRecord.ReadAll(large)))
        {
            b.MapSize.Should().Equal(16, 16);
            using var map = tensor(a.Maps[0].Pixels()).view(1, 8, 8);
            using var resized = PilBilinear.Resize(map, 16, 16);
            b.Maps[0].Pixels().Should().Equal(resized.bytes.ToArray());
            b.Maps[0].AreaSize.Should().Be(a.Maps[0].AreaSize, "the area is measured at the feature map's resolution");
        }
    }

    [Fact]
    public void Resume_AfterATruncatedLine_GivesExactlyTheUninterruptedFile()
    {
        using var model = TinyModel();
        var val = Val(14);
        var transform = val.EvaluationTransform(Size);
        var whole = folder.PathOf("whole.jsonl");
        new BulkExplainer(model, Serial()).Run(val, transform, whole);
        var lines = File.ReadAllLines(whole);

        // A crash after 8 lines (two whole batches of 4, so the rerun's batches are the same images and the floats the
        // same bytes) in the middle of writing the ninth.
        var resumed = folder.PathOf("resumed.jsonl");
        var partial = string.Concat(lines.Take(8).Select(l => l + "\n")) + lines[8][..(lines[8].Length / 2)];
        File.WriteAllText(resumed, partial);

        var summary = new BulkExplainer(model, Serial()).Run(val, transform, resumed);

        summary.Resumed.Should().Be(8);
        summary.Written.Should().Be(6);
        summary.TruncatedBytes.Should().Be(lines[8].Length / 2);
        File.ReadAllBytes(resumed).Should().Equal(File.ReadAllBytes(whole));
    }

    [Fact]
    public void File_IsTheSameBytes_WhetherImagesAreDecodedAheadOrNot()
    {
        using var model = TinyModel();
        var val = Val(11);
        var transform = val.EvaluationTransform(Size);
        var serial = folder.PathOf("serial.jsonl");
        var ahead = folder.PathOf("ahead.jsonl");
        new BulkExplainer(model, Serial(topK: 2)).Run(val, transform, serial);
        var options = Serial(topK: 2);
        options.Workers = 3;
        options.Prefetch = 3;

        new BulkExplainer(model, options).Run(val, transform, ahead);

        File.ReadAllBytes(ahead).Should().Equal(File.ReadAllBytes(serial));
        File.ReadAllLines(serial).Should().HaveCount(11);
    }

    [Fact]
    public void Rerun_OfACompleteFile_WritesNothing()
    {
        using var model = TinyModel();
        var val = Val(5);
        var transform = val.EvaluationTransform(Size);
        var path = folder.PathOf("val.jsonl");
        new BulkExplainer(model, Serial()).Run(val, transform, path);
        var before = File.ReadAllBytes(path);

        var summary = new BulkExplainer(model, Serial()).Run(val, transform, path);

        summary.Should().Match<BulkExplanationSummary>(s => s.Resumed == 5 && s.Written == 0 && s.Complete);
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnotherProgramsJsonLines_AreNeitherContinuedNorRestarted_AndKeepEveryByte(bool resume)
    {
        using var model = TinyModel();
        var val = Val(3);
        var path = folder.WriteText("events.jsonl", "{\"id\":\"e1\",\"kind\":\"login\"}\n{\"id\":\"e2\",\"kind\":\"logout\"}\n{\"id\":\"e3\",\"ki");
        var before = File.ReadAllBytes(path);

        var options = Serial();
        options.Resume = resume;
        var act = () => new BulkExplainer(model, options).Run(val, val.EvaluationTransform(Size), path);

        act.Should().Throw<InvalidDataException>().WithMessage("*line 1*expected an explanation record*left untouched*");
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [Fact]
    public void Cancellation_FinishesTheBatchInProgress_LeavingOnlyWholeLines_AndARerunCompletesTheFile()
    {
        using var model = TinyModel();
        var val = Val(20);
        var transform = val.EvaluationTransform(Size);
        var whole = folder.PathOf("whole.jsonl");
        new BulkExplainer(model, Serial()).Run(val, transform, whole);
        var path = folder.PathOf("cancelled.jsonl");
        using var cancel = new CancellationTokenSource();
        var reports = new List<BulkExplanationProgress>();
        var progress = new Inline(p =>
        {
            reports.Add(p);
            if (p.Done >= 8)
            {
                cancel.Cancel();
            }
        });

        var act = () => new BulkExplainer(model, Serial()).Run(val, transform, path, progress, cancel.Token);

        act.Should().Throw<OperationCanceledException>();
        reports.Select(r => r.Done).Should().Equal(4, 8);
        reports.Should().OnlyContain(r => r.Total == 20 && r.Resumed == 0 && r.ImagesPerSecond > 0);
        var text = File.ReadAllText(path);
        text.Should().EndWith("\n");
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ExplanationRecord.Parse).Select(r => r.Id)
            .Should().Equal(Enumerable.Range(0, 8).Select(i => $"val/{i}"));

        new BulkExplainer(model, Serial()).Run(val, transform, path).Resumed.Should().Be(8);
        File.ReadAllBytes(path).Should().Equal(File.ReadAllBytes(whole));
    }

    [Fact]
    public void LiveTensors_StayFlatAcrossBatches_AndNoneIsLeftAfterTheRun()
    {
        using var model = TinyModel();
        var val = Val(24);
        var transform = val.EvaluationTransform(Size);
        var counts = new List<long>();
        var before = LiveTensors.Count();

        new BulkExplainer(model, Serial()).Run(val, transform, folder.PathOf("val.jsonl"), new Inline(_ => counts.Add(Tensor.TotalCount)));

        counts.Should().HaveCount(6);
        counts.Distinct().Should().HaveCount(1, "each batch's tensors are freed by its dispose scope");
        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void ResidentMemory_StaysFlatOverTwoThousandImages()
    {
        using var model = TinyModel();
        var val = Val(2000);
        var transform = val.EvaluationTransform(Size);
        var samples = new List<(int Done, long Rss, long Tensors)>();
        var options = new BulkExplanationOptions { BatchSize = 50, TopK = 2, FlushToDisk = false };

        var summary = new BulkExplainer(model, options).Run(val, transform, folder.PathOf("val.jsonl"),
            new Inline(p => samples.Add((p.Done, ProcessMemory.ResidentBytes(), Tensor.TotalCount))));

        summary.Written.Should().Be(2000);
        // Baseline after 500 images, past the allocators' warm-up; allowance 16 MiB. Leaking one batch's 50 images'
        // tensors or records per batch would add far more over the 30 batches that follow.
        var baseline = samples.First(s => s.Done >= 500);
        var last = samples[^1];
        (last.Rss - baseline.Rss).Should().BeLessThan(16L << 20, $"RSS {baseline.Rss >> 20} MiB after {baseline.Done} images, {last.Rss >> 20} MiB after {last.Done}");
        last.Tensors.Should().BeLessThanOrEqualTo(baseline.Tensors);
    }

    [Fact]
    public void ImageDirectory_IsExplainedWithRelativePathIdsAndNoLabels_AndOverlaysMirrorThem()
    {
        folder.WriteImage(Path.Combine("in", "b", "two.png"), 20, 12, 10, 200, 30);
        folder.WriteImage(Path.Combine("in", "a", "one.jpg"), 16, 16, 250, 20, 20);
        folder.WriteImage(Path.Combine("in", "three.png"), 9, 30, 0, 0, 255);
        var images = ImageDirectory.Load(folder.PathOf("in"), ["circle", "square", "triangle"]);
        using var model = TinyModel();
        var options = Serial();
        options.OverlayDirectory = folder.PathOf("overlays");

        var summary = new BulkExplainer(model, options).Run(images, ImageTransform.Create(Size, Normalization.ImageNet), folder.PathOf("dir.jsonl"));

        summary.OverlaysWritten.Should().Be(3);
        var records = ExplanationRecord.ReadAll(folder.PathOf("dir.jsonl")).ToList();
        records.Select(r => r.Id).Should().Equal("a/one.jpg", "b/two.png", "three.png");
        records.Should().OnlyContain(r => r.Label == null && r.LabelName == null && r.PredictionName == new[] { "circle", "square", "triangle" }[r.Prediction]);
        foreach (var record in records)
        {
            var overlay = Path.Combine(options.OverlayDirectory, $"{record.Id}_why_class{record.Maps[0].Class}.png");
            File.Exists(overlay).Should().BeTrue(overlay);
            using var decoded = ImageDecoder.Decode(File.ReadAllBytes(overlay), "png");
            decoded.shape.Should().Equal(3, Size, Size);
        }
    }

    [Fact]
    public void FcModel_IsRejected_NamingTheHead()
    {
        using var model = ScouterModel.Create(nn.Conv2d(3, 6, 3), FcClassifierHead.Create(6, Classes));

        var act = () => new BulkExplainer(model);

        act.Should().Throw<ArgumentException>().WithMessage("*xSlot head*FcClassifierHead*");
    }

    [Fact]
    public void AugmentingTransform_IsRejected()
    {
        using var model = TinyModel();
        var val = Val(2);

        var act = () => new BulkExplainer(model).Run(val, val.TrainingTransform(Size, augment: true), folder.PathOf("x.jsonl"));

        act.Should().Throw<ArgumentException>().WithMessage("*EvaluationTransform*");
    }

    [Fact]
    public void SuppliedForward_ComputesEveryBatch_AndTheSameForwardGivesTheSameBytes()
    {
        using var model = TinyModel(ScouterPolarity.Negative);
        var val = Val(10);
        var transform = val.EvaluationTransform(Size);
        var own = folder.PathOf("own.jsonl");
        var supplied = folder.PathOf("supplied.jsonl");
        new BulkExplainer(model, Serial(topK: 2)).Run(val, transform, own);
        var batches = new List<long>();

        var summary = new BulkExplainer(model, images =>
        {
            batches.Add(images.shape[0]);
            return model.ForwardDetailed(images);
        }, Serial(topK: 2)).Run(val, transform, supplied);

        batches.Should().Equal(4, 4, 2);
        summary.Written.Should().Be(10);
        File.ReadAllBytes(supplied).Should().Equal(File.ReadAllBytes(own));
    }

    [Fact]
    public void SuppliedForward_DecidesTheRecords()
    {
        using var model = TinyModel();
        var val = Val(4);
        var path = folder.PathOf("val.jsonl");

        // Scores that always favour the last class, and maps that are 0 except one pixel of that class.
        new BulkExplainer(model, images =>
        {
            var batch = images.shape[0];
            var scores = tensor(new float[] { 0, 0, 5 }).expand(batch, -1).contiguous();
            var maps = zeros(batch, Classes, 2, 2);
            maps[.., Classes - 1, 0, 1] = tensor(1f);
            return new HeadOutput(scores, null, maps);
        }, Serial()).Run(val, val.EvaluationTransform(Size), path);

        var records = ExplanationRecord.ReadAll(path).ToList();
        records.Should().HaveCount(4).And.OnlyContain(r => r.Prediction == Classes - 1 && r.MapSize.SequenceEqual(new[] { 2, 2 }));
        records.Should().OnlyContain(r => r.Maps[0].Class == Classes - 1 && r.Maps[0].Pixels().SequenceEqual(new byte[] { 0, 255, 0, 0 }));
    }

    [Fact]
    public void SuppliedForward_OfOtherShapes_StopsTheRun_NamingWhatItReturned()
    {
        using var model = TinyModel();
        var val = Val(4);
        var transform = val.EvaluationTransform(Size);

        var wrongScores = () => new BulkExplainer(model, images => new HeadOutput(zeros(images.shape[0], Classes + 1), null, zeros(images.shape[0], Classes, 2, 2)), Serial())
            .Run(val, transform, folder.PathOf("a.jsonl"));
        var noMaps = () => new BulkExplainer(model, images => new HeadOutput(zeros(images.shape[0], Classes), null, null), Serial())
            .Run(val, transform, folder.PathOf("b.jsonl"));

        wrongScores.Should().Throw<InvalidOperationException>().WithMessage("*returned scores [4, 4]*expected [4, 3]*");
        noMaps.Should().Throw<InvalidOperationException>().WithMessage("*returned class maps null*expected [4, 3, h, w]*");
        var nullForward = () => new BulkExplainer(model, (Func<Tensor, HeadOutput>)null!);
        nullForward.Should().Throw<ArgumentNullException>();
    }

    /// <summary>Reports on the explaining thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Inline(Action<BulkExplanationProgress> report) : IProgress<BulkExplanationProgress>
    {
        public void Report(BulkExplanationProgress value) => report(value);
    }
}
