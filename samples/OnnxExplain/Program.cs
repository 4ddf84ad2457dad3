// onnx-explain: explains images with a SCOUTER model exported by `scouter export-onnx`, using ONNX Runtime and
// SkiaSharp only: no TorchSharp, no libtorch. The explanations are outputs of the model's own forward pass.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxExplain;
using SkiaSharp;

if (args.Length < 2 || args.Contains("--help"))
{
    Console.WriteLine("Usage: onnx-explain MODEL.onnx IMAGE|FOLDER [--output DIR] [--batch N] [--threads N] [--bench STEPS]");
    Console.WriteLine("Writes, per image, the input, one overlay per class (why / why not), a labelled panel and explanation.json.");
    Console.WriteLine("--bench STEPS times STEPS batches instead (first-call latency and images per second; nothing is written).");
    return args.Contains("--help") ? 0 : 2;
}

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var modelPath = args[0];
var target = args[1];
var outputDir = Option("--output", "onnx_explanations");
var batchSize = int.Parse(Option("--batch", "1"), CultureInfo.InvariantCulture);
var threads = int.Parse(Option("--threads", "0"), CultureInfo.InvariantCulture);
var benchSteps = int.Parse(Option("--bench", "0"), CultureInfo.InvariantCulture);
var images = Directory.Exists(target)
    ? Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
        .Order(StringComparer.Ordinal).ToList()
    : [target];
if (images.Count == 0 || !images.All(File.Exists))
{
    Console.Error.WriteLine($"onnx-explain: no image at {target} (a .png/.jpg file or a folder of them).");
    return 1;
}

var clock = Stopwatch.StartNew();
using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(modelPath, sessionOptions);
var sessionMs = clock.Elapsed.TotalMilliseconds;
var info = ModelInfo.Read(session);
var plane = info.Channels * info.Height * info.Width;

// Runs one batch; returns the named outputs (flat arrays) and the pictures drawn from.
(Dictionary<string, float[]> Outputs, SKBitmap[] Pictures) Run(IReadOnlyList<string> files)
{
    var input = new float[files.Count * plane];
    var pictures = files.Select((f, b) => Preprocessing.Load(f, info, input, b * plane)).ToArray();
    var tensor = new DenseTensor<float>(input, [files.Count, info.Channels, info.Height, info.Width]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", tensor)]);
    return (results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray()), pictures);
}

clock.Restart();
var first = Run(images.Take(Math.Min(batchSize, images.Count)).ToList());
var firstRunMs = clock.Elapsed.TotalMilliseconds;
Console.WriteLine($"{Path.GetFileName(modelPath)}: {info.Channels}x{info.Height}x{info.Width} input, {info.ClassNames.Count} classes, " +
    $"{(info.HasMaps ? (info.Negative ? "SCOUTER- (maps: why not)" : "SCOUTER+ (maps: why)") : "no maps (FC head)")}; " +
    $"session {sessionMs:F0} ms, first batch of {Math.Min(batchSize, images.Count)} {firstRunMs:F0} ms (first-call latency {sessionMs + firstRunMs:F0} ms)");

if (benchSteps > 0)
{
    // The same files over and over, decoding included, as a service would see them.
    var batch = Enumerable.Range(0, batchSize).Select(i => images[i % images.Count]).ToList();
    Run(batch);
    clock.Restart();
    for (var step = 0; step < benchSteps; step++)
    {
        Run(batch);
    }

    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        batch = batchSize, threads, steps = benchSteps, ms_per_batch = seconds * 1000 / benchSteps, images_per_second = benchSteps * batchSize / seconds,
        session_ms = sessionMs, first_batch_ms = firstRunMs,
    }));
    return 0;
}

var written = 0;
for (var start = 0; start < images.Count; start += batchSize)
{
    var files = images.Skip(start).Take(batchSize).ToList();
    var (outputs, pictures) = start == 0 ? first : Run(files);
    int n = info.ClassNames.Count, pixels = info.Height * info.Width;
    var logProbabilities = outputs["log_probabilities"];
    for (var b = 0; b < files.Count; b++)
    {
        var name = Path.GetFileNameWithoutExtension(files[b]);
        var directory = Path.Combine(outputDir, images.Count > 1 ? $"{start + b:D4}_{name}" : name);
        Directory.CreateDirectory(directory);
        var probabilities = logProbabilities.Skip(b * n).Take(n).Select(MathF.Exp).ToArray();
        var predicted = Array.IndexOf(probabilities, probabilities.Max());
        Panels.Save(pictures[b], Path.Combine(directory, "image.png"));

        float[][]? attention = null;
        if (info.HasMaps)
        {
            var upsampled = outputs["class_maps_upsampled"];
            var question = info.Negative ? "whynot" : "why";
            var overlays = Enumerable.Range(0, n).Select(c => Panels.Overlay(pictures[b], upsampled.AsSpan((b * n + c) * pixels, pixels))).ToList();
            for (var c = 0; c < n; c++)
            {
                Panels.Save(overlays[c], Path.Combine(directory, $"{question}_class{c}.png"));
            }

            var captions = Enumerable.Range(0, n).Select(c => $"{info.ClassNames[c]} {probabilities[c]:P1}").ToList();
            using var panel = Panels.Panel(pictures[b], overlays, captions, $"{name}: predicted {info.ClassNames[predicted]} ({(info.Negative ? "why not" : "why")} each class)");
            Panels.Save(panel, Path.Combine(directory, "panel.png"));
            overlays.ForEach(o => o.Dispose());

            var maps = outputs["class_maps"];
            var cells = maps.Length / (files.Count * n);
            attention = Enumerable.Range(0, n).Select(c => maps.Skip((b * n + c) * cells).Take(cells).ToArray()).ToArray();
        }

        var record = new
        {
            image = files[b],
            predicted = info.ClassNames[predicted],
            polarity = info.HasMaps ? (info.Negative ? "negative" : "positive") : null,
            class_names = info.ClassNames,
            probabilities,
            log_probabilities = logProbabilities.Skip(b * n).Take(n).ToArray(),
            scores = outputs["scores"].Skip(b * n).Take(n).ToArray(),
            attention,
        };
        File.WriteAllText(Path.Combine(directory, "explanation.json"), JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"{files[b]}: {info.ClassNames[predicted]} ({probabilities[predicted]:P1}) -> {directory}");
        pictures[b].Dispose();
        written++;
    }
}

Console.WriteLine($"{written} image(s) explained into {Path.GetFullPath(outputDir)}");
return 0;
