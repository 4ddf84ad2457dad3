// HeadSwap: take a TorchVision ResNet, replace its average pool + FC with SCOUTER's xSlot head,
// train a few steps, and write each class's explanation map for some validation images.
// Usage: dotnet run --project samples/HeadSwap -- [output-dir] [steps]
using Scouter.Core.Explanations;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

var outputDir = args.Length > 0 ? args[0] : Path.Combine("runs", "headswap");
var steps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100;
const int classes = 4, imageSize = 64, batchSize = 16;

manual_seed(0);
torchvision.io.DefaultImager = new torchvision.io.SkiaImager();
var device = cuda.is_available() ? CUDA : CPU;

// 1. Any TorchVision model: keep everything before average pooling (its parameters are shared).
var resnet = torchvision.models.resnet18(num_classes: 1000);
var backbone = nn.Sequential(resnet.named_children()
    .TakeWhile(child => child.name != "avgpool")
    .Select(child => (child.name, (nn.Module<Tensor, Tensor>)child.module))
    .ToArray());

// 2. The xSlot head takes the place of average pooling + FC. AdamW as the official code runs it:
//    lr 1e-4 and PyTorch's default weight decay 0.01 (TorchSharp's default is 0).
var options = new ScouterOptions { Channels = 512, NumClasses = classes, SlotsPerClass = 1, LambdaValue = 1, Power = 2 };
var model = ScouterModel.Create(backbone, XSlotClassifier.Create(options));
model.to(device);
var loss = ScouterLoss.Create(options);
var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.01);

// 3. Train on a toy task whose evidence has a known place: the class is the quadrant holding a bright square.
Console.WriteLine($"Training resnet18 + xSlot for {steps} steps on {device.type} ({imageSize}×{imageSize}, batch {batchSize})");
model.train();
for (var step = 1; step <= steps; step++)
{
    using var scope = NewDisposeScope();
    var (images, labels) = QuadrantBatch(batchSize, imageSize, device);
    optimizer.zero_grad();
    var output = model.ForwardDetailed(images);
    var result = loss.call(output, labels);
    result.Total.backward();
    optimizer.step();
    if (step % 25 == 0 || step == 1)
    {
        var accuracy = output.Scores.argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
        Console.WriteLine($"step {step,4}  loss {result.Total.item<float>():F4}  nll {result.Nll.item<float>():F4}  area {result.Area.item<float>():F4}  acc {accuracy:P0}");
    }
}

// 4. Explanations are tensors; rendering them to files is an explicit, separate step.
model.eval();
Directory.CreateDirectory(outputDir);
using (var scope = NewDisposeScope())
using (no_grad())
{
    var (images, labels) = QuadrantBatch(8, imageSize, device);
    var output = model.ForwardDetailed(images);
    var accuracy = output.Scores.argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
    var maps = ExplanationMaps.Upsample(ExplanationMaps.NormalizeJointly(output.ClassMaps!), imageSize, imageSize);
    for (var i = 0; i < 4; i++)
    {
        var image = (images[i] * 255).clamp(0, 255).to(ScalarType.Byte).cpu();
        torchvision.io.write_png(image, Path.Combine(outputDir, $"image{i}_label{labels[i].item<long>()}.png"));
        for (var c = 0; c < classes; c++)
        {
            var heat = (maps[i, c] * 255).to(ScalarType.Byte).unsqueeze(0).expand(3, -1, -1).contiguous().cpu();
            torchvision.io.write_png(heat, Path.Combine(outputDir, $"image{i}_class{c}.png"));
        }
    }

    Console.WriteLine($"validation accuracy on 8 new images: {accuracy:P0}; maps written to {Path.GetFullPath(outputDir)}");
}

static (Tensor Images, Tensor Labels) QuadrantBatch(int count, int size, Device device)
{
    var labels = randint(0, classes, [count], dtype: ScalarType.Int64);
    var images = rand(count, 3, size, size) * 0.3f;
    var half = size / 2;
    var square = size / 4;
    for (var i = 0; i < count; i++)
    {
        var quadrant = labels[i].item<long>();
        var top = (int)(quadrant / 2) * half + (half - square) / 2;
        var left = (int)(quadrant % 2) * half + (half - square) / 2;
        images[i, .., top..(top + square), left..(left + square)] = rand(3, 1, 1) * 0.5f + 0.5f;
    }

    return (images.to(device), labels.to(device));
}
