// ExplainFromCheckpoint: a trained checkpoint (from `scouter train` or the official PyTorch train.py) and an image
// are all it takes. The checkpoint names the backbone, the stem, the head, the image size and the normalisation;
// the model answers as it did in training, and every class's explanation is drawn over the image.
// Usage: dotnet run --project samples/ExplainFromCheckpoint -- CHECKPOINT IMAGE [output-dir]
using System.Globalization;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using static TorchSharp.torch;

if (args.Length < 2)
{
    Console.Error.WriteLine("Usage: ExplainFromCheckpoint CHECKPOINT IMAGE [output-dir]");
    return 2;
}

var (checkpointPath, imagePath) = (args[0], args[1]);
var outputDir = args.Length > 2 ? args[2] : Path.Combine("runs", "explain-from-checkpoint");
foreach (var file in new[] { checkpointPath, imagePath }.Where(f => !File.Exists(f)))
{
    Console.Error.WriteLine($"{file}: no such file.");
    return 1;
}

// 1. The model and its preprocessing, from the file alone.
using var trained = TrainedModel.Load(checkpointPath);
var settings = trained.Settings;
Console.WriteLine($"{settings.Model} + {(settings.UseSlot ? $"xSlot ({settings.Polarity} SCOUTER)" : "FC")} head, {settings.NumClasses} classes, " +
    $"{settings.InputChannels}-channel {settings.ImageSize}×{settings.ImageSize} input{(settings.Dataset is { } dataset ? $", trained on {dataset}" : string.Empty)}");

// 2. The image resized, converted and normalised as in training, then the forward pass (no gradients, eval mode).
using var output = trained.Explain(imagePath);
float[] probabilities;
using (NewDisposeScope())
{
    probabilities = output.LogProbabilities()[0].exp().data<float>().ToArray();
}

for (var c = 0; c < probabilities.Length; c++)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"class {c,3}: {probabilities[c],7:P2}"));
}

// 3. Each class's map over the image (an FC model has no explanation of its own).
if (trained.Model.Head is XSlotClassifier head)
{
    using var scope = NewDisposeScope();
    var input = trained.Preprocessor.Load(imagePath);     // [1, C, S, S]: what the model saw, drawn under its maps
    var picture = ImageTensors.ToUInt8(input, trained.Preprocessor.Transform.Normalization.Mean, trained.Preprocessor.Transform.Normalization.Std);
    using var rendered = new ExplanationRenderer(new RenderOptions { Polarity = head.Polarity }).Render(picture, output);
    var files = rendered.Save(outputDir);
    Console.WriteLine($"{files.Count} images written to {Path.GetFullPath(outputDir)}");
}

return 0;
