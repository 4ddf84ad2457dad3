// The same SCOUTER model explaining a batch in TorchSharp (eval, no_grad) and in ONNX Runtime, interleaved round by
// round so that load from other processes falls on both alike. Both compute the log-probabilities, the class maps and
// the jointly normalised maps upsampled to the input size; image decoding is left out on both sides.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Scouter.Core.Backbones;
using Scouter.Core.Explanations;
using Scouter.Core.Modules;
using Scouter.Core.Onnx;
using Scouter.Core.Options;
using static TorchSharp.torch;

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Int(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var backboneName = Option("--model", "resnet18");
var size = Int("--size", 64);
var batch = Int("--batch", 8);
var threads = Int("--threads", 2);
var rounds = Int("--rounds", 5);
var steps = Int("--steps", 10);

set_num_threads(threads);
manual_seed(0);
var clock = Stopwatch.StartNew();
using var backbone = BackboneRegistry.Default.Create(backboneName);
var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = backbone.Channels, NumClasses = 10, SlotsPerClass = 10 });
using var model = ScouterModel.Create(backbone.Features, head);
model.eval();
var buildMs = clock.Elapsed.TotalMilliseconds;
using var images = randn(batch, 3, size, size);
var input = images.data<float>().ToArray();

void TorchStep()
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    var output = model.ForwardDetailed(images);
    var logProbabilities = output.LogProbabilities();
    var maps = ExplanationMaps.Upsample(ExplanationMaps.NormalizeJointly(output.ClassMaps!), size, size);
    _ = logProbabilities.data<float>()[0] + maps.data<float>()[0]; // results read back, as a consumer would
}

clock.Restart();
TorchStep();
var torchFirstMs = clock.Elapsed.TotalMilliseconds;

clock.Restart();
var bytes = ScouterOnnxExporter.ToBytes(model, new OnnxExportOptions { ImageHeight = size, ImageWidth = size });
var exportMs = clock.Elapsed.TotalMilliseconds;
clock.Restart();
using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(bytes, options);
var sessionMs = clock.Elapsed.TotalMilliseconds;

void OnnxStep()
{
    var tensor = new DenseTensor<float>(input, [batch, 3, size, size]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxNames.Images, tensor)]);
    _ = results.Sum(r => r.AsTensor<float>().GetValue(0));
}

clock.Restart();
OnnxStep();
var onnxFirstMs = clock.Elapsed.TotalMilliseconds;
for (var i = 0; i < 2; i++)
{
    TorchStep();
    OnnxStep();
}

double Time(Action step)
{
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < steps; i++)
    {
        step();
    }

    return watch.Elapsed.TotalMilliseconds / steps;
}

var torchMs = new List<double>();
var onnxMs = new List<double>();
for (var round = 0; round < rounds; round++)
{
    torchMs.Add(Time(TorchStep));
    onnxMs.Add(Time(OnnxStep));
    Console.Error.WriteLine($"round {round + 1}: TorchSharp {torchMs[^1]:F1} ms, ONNX Runtime {onnxMs[^1]:F1} ms per batch of {batch}");
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
var ratios = torchMs.Zip(onnxMs, (t, o) => t / o).ToList();
Console.WriteLine(JsonSerializer.Serialize(new
{
    model = backboneName, size, batch, threads, rounds, steps, load_average = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
    torch_ms_per_batch = Median(torchMs), onnx_ms_per_batch = Median(onnxMs),
    torch_images_per_second = batch * 1000 / Median(torchMs), onnx_images_per_second = batch * 1000 / Median(onnxMs),
    speedup_onnx_over_torch_median_of_rounds = Median(ratios),
    torch_model_build_ms = buildMs, torch_first_call_ms = torchFirstMs, onnx_export_ms = exportMs, onnx_session_ms = sessionMs, onnx_first_call_ms = onnxFirstMs,
    onnx_model_mb = bytes.Length / 1e6,
}, new JsonSerializerOptions { WriteIndented = true }));
