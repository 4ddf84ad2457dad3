// A small synthetic run that exercises the whole explanation stack end to end: two tiny models (xSlot and FC) learn
// whether the square on a noisy 48×64 image is reddish or greenish; then SCOUTER's own maps and three baselines are
// rendered into one offline HTML report, and the metric table is computed against the squares' boxes.
// Usage: dotnet run --project scripts/explanation-report -- <output folder>
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

var output = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "scouter-explanation-report");
Directory.CreateDirectory(output);
manual_seed(7);
const int Height = 48, Width = 64, Side = 12;

(Tensor Images, Tensor Labels, Tensor Boxes) MakeData(int count, Generator generator)
{
    using var scope = NewDisposeScope();
    var images = rand([count, 3, Height, Width], generator: generator).mul_(0.3f);
    var top = randint(0, Height - Side + 1, [count], generator: generator).data<long>().ToArray();
    var left = randint(0, Width - Side + 1, [count], generator: generator).data<long>().ToArray();
    var labels = randint(0, 2, [count], generator: generator);
    var strong = rand([count], generator: generator).mul_(0.3f).add_(0.7f);
    var weak = rand([count], generator: generator).mul_(0.3f);
    var red = labels.eq(0);
    var colour = stack([where(red, strong, weak), where(red, weak, strong), rand([count], generator: generator).mul_(0.3f)], 1);
    for (var i = 0; i < count; i++)
    {
        images[i].narrow(1, top[i], Side).narrow(2, left[i], Side).copy_(colour[i].view(3, 1, 1).expand(3, Side, Side));
    }

    var boxes = tensor(left.Zip(top, (l, t) => new float[] { l, t, l + Side, t + Side }).SelectMany(b => b).ToArray()).view(count, 1, 4);
    return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), boxes.MoveToOuterDisposeScope());
}

nn.Module<Tensor, Tensor> Backbone() => nn.Sequential(
    nn.Conv2d(3, 16, 3, stride: 2, padding: 1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, stride: 2, padding: 1), nn.ReLU());

void Train(ScouterModel model, string name, Tensor images, Tensor labels)
{
    using var loss = ScouterLoss.Create(lambda: 1, power: 2);
    using var optimizer = optim.AdamW(model.parameters(), lr: 2e-3, weight_decay: 0.01);
    model.train();
    for (var epoch = 0; epoch < 12; epoch++)
    {
        double total = 0;
        for (long start = 0; start < images.shape[0]; start += 16)
        {
            using var step = NewDisposeScope();
            var count = Math.Min(16, images.shape[0] - start);
            optimizer.zero_grad();
            using var result = loss.call(model.ForwardDetailed(images.narrow(0, start, count)), labels.narrow(0, start, count));
            result.Total.backward();
            optimizer.step();
            total += result.Total.item<float>() * count;
        }

        Console.WriteLine($"{name} epoch {epoch}: loss {total / images.shape[0]:0.0000}");
    }

    model.eval();
}

using var trainGenerator = new Generator(1);
using var testGenerator = new Generator(2);
var (trainImages, trainLabels, _) = MakeData(256, trainGenerator);
var (testImages, testLabels, testBoxes) = MakeData(32, testGenerator);

using var scouter = ScouterModel.Create(Backbone(), XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 32, HiddenDim = 16, NumClasses = 2, SlotsPerClass = 1 }));
using var fc = ScouterModel.Create(Backbone(), FcClassifierHead.Create(32, 2));
Train(scouter, "SCOUTER+", trainImages, trainLabels);
Train(fc, "FC", trainImages, trainLabels);

var options = new SaliencyOptions { Seed = 3 };
var baselines = new List<SaliencyMethod>
{
    GradCam.Create(fc, options: options),
    ScoreCam.Create(fc, options: options),
    Rise.Create(fc, masks: 300, options: options),
};

// The report shows three test images.
using var shown = testImages.narrow(0, 0, 3);
using var pictures = ImageTensors.ToUInt8(shown);
using var scouterOutput = scouter.ForwardDetailed(shown);
using var scouterMaps = new ExplanationRenderer().Render(pictures, scouterOutput);
using var fcScores = fc.call(shown);
using var topClass = ClassSelection.MostLikely(fcScores);
var sections = new List<HtmlReportSection> { new("SCOUTER+ (xSlot model): class maps", scouterMaps) };
var renderedBaselines = baselines.Select(method =>
{
    using var maps = method.ExplainClasses(shown, topClass);
    return new HtmlReportSection($"{method.Name} (FC model), predicted class",
        new ExplanationRenderer(new RenderOptions { Normalization = MapNormalization.None }).Render(pictures, maps, fcScores, topClass));
}).ToList();
sections.AddRange(renderedBaselines);

var evaluator = new ExplanationEvaluator(new EvaluationOptions { InfidelitySamples = 8, SensitivitySamples = 2, PointingTolerance = 2, Seed = 3 });
var batches = Enumerable.Range(0, 4).Select(i => new EvaluationBatch(testImages.narrow(0, i * 8, 8), testLabels.narrow(0, i * 8, 8), testBoxes.narrow(0, i * 8, 8)));
var metrics = evaluator.Evaluate(batches, scouter, baselines);

HtmlReport.Write(Path.Combine(output, "report.html"), "Scouter.Core — synthetic explanation report", sections, scouterOutput.Scores, ["red", "green"], metrics);
metrics.Save(Path.Combine(output, "metrics.json"));
File.WriteAllText(Path.Combine(output, "metrics.md"), metrics.ToMarkdown());
scouterMaps.Save(Path.Combine(output, "png"), "scouter_");
Console.WriteLine(metrics.ToMarkdown());
Console.WriteLine($"Wrote {Path.Combine(output, "report.html")}");

foreach (var section in renderedBaselines)
{
    section.Maps.Dispose();
}

baselines.ForEach(b => b.Dispose());
