using Scouter.Core.Compat;
using Scouter.Core.Backbones;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace HeadSwap;

/// <summary>The sample's settings; the test runs the same recipe with fewer steps and images.</summary>
public sealed record HeadSwapSettings
{
    /// <summary>Side of the square images.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>
    /// ResNet-18 stages kept (1–4): the backbone ends after <c>layer{Stages}</c>, at output stride 4, 8, 16 or 32. One
    /// stage gives a 64 px image a 16×16 map of 64 channels whose cells see 43 px, less than the image.
    /// </summary>
    public int Stages { get; init; } = 1;

    /// <summary>Slots per class of the xSlot head.</summary>
    public int SlotsPerClass { get; init; } = 1;

    /// <summary>Weight λ of the SCOUTER loss's area term.</summary>
    public double Lambda { get; init; } = 10;

    /// <summary>Training steps of the xSlot model.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Images per training batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Validation images.</summary>
    public int ValidationImages { get; init; } = 256;

    /// <summary>Seed of the global generator (weights, batches).</summary>
    public int Seed { get; init; }
}

/// <summary>What the trained model does on new images.</summary>
/// <param name="Accuracy">Share of validation images classified right (all five classes).</param>
/// <param name="PointingGame">
/// Share of the images with a square whose label class's map has its maximum inside the square's quadrant (chance: 0.25).
/// </param>
/// <param name="PointingByClass">The pointing game of the images of each quadrant class, in label order.</param>
/// <param name="OnSquare">Share of the images with a square whose label class's map has its maximum on the square itself (chance: 1/16).</param>
/// <param name="ImagesWithSquare">How many images the pointing figures count.</param>
public sealed record HeadSwapResult(double Accuracy, double PointingGame, IReadOnlyList<double> PointingByClass, double OnSquare, long ImagesWithSquare);

/// <summary>
/// The head swap: a ResNet-18 whose average pool + FC is replaced by SCOUTER's xSlot head, trained on
/// <see cref="QuadrantTask"/>, and the pointing game of its explanations.
/// </summary>
public static class HeadSwapRecipe
{
    /// <summary>Builds and trains the model.</summary>
    /// <param name="settings">The recipe's settings.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="log">Receives a progress line now and then, or null.</param>
    public static ScouterModel Train(HeadSwapSettings settings, Device device, Action<string>? log = null)
    {
        manual_seed(settings.Seed);

        // 1. A ResNet-18 cut after a stage (the parts share their parameters). Deeper cuts give every cell a receptive
        //    field as large as the image, and the head then reads the class away from the square (samples/HeadSwap/README.md).
        var resnet = TorchVisionBackbones.Create("resnet18").Features;
        var backbone = nn.Sequential(resnet.named_children().TakeWhile(c => c.name != $"layer{settings.Stages + 1}")
            .Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray());
        var channels = 64 << (settings.Stages - 1);

        // 2. The xSlot head takes the place of average pooling + FC. AdamW as the official code runs it, with PyTorch's
        //    default weight decay 0.01 (TorchSharp's default is 0).
        var head = new ClassifierHeadOptions { Channels = channels, NumClasses = QuadrantTask.ClassNames.Count, SlotsPerClass = settings.SlotsPerClass };
        var model = ScouterModel.Create(backbone, XSlotClassifier.Create(head));
        Fit(model, ScouterLoss.Create(new ScouterLossOptions { Lambda = settings.Lambda, Power = 2 }), settings, device, log);
        return model;
    }

    /// <summary>
    /// Accuracy and pointing game of the model's output for images of the given labels: a hit when the label class's
    /// map, upsampled to the image, has its maximum inside the quadrant holding the square (ties: the first in row-major
    /// order), overall and per class; and how often that maximum lies on the square itself. The pointing figures count
    /// the images with a square only, and are NaN when there are none.
    /// </summary>
    public static HeadSwapResult Evaluate(HeadOutput output, Tensor labels, int imageSize)
    {
        using var scope = NewDisposeScope();
        var accuracy = output.Scores.argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
        var withSquare = labels.ne(QuadrantTask.None).nonzero().squeeze(1);
        var squareLabels = labels.index_select(0, withSquare);
        var labelMaps = ExplanationMaps.SelectClass(output.ClassMaps!.index_select(0, withSquare), squareLabels);
        var maps = ExplanationMaps.Upsample(labelMaps.unsqueeze(1), imageSize, imageSize).squeeze(1);
        var hits = PointingGame.Hits(maps, QuadrantTask.Quadrants(squareLabels, imageSize), tolerance: 0).to(ScalarType.Float64);
        var onSquare = PointingGame.Hits(maps, QuadrantTask.Squares(squareLabels, imageSize), tolerance: 0).to(ScalarType.Float64);
        var byClass = squareLabels.cpu().bincount(hits.cpu(), QuadrantTask.None).div(squareLabels.cpu().bincount(null, QuadrantTask.None));
        return new HeadSwapResult(accuracy, hits.mean().item<double>(), byClass.data<double>().ToArray(), onSquare.mean().item<double>(), withSquare.shape[0]);
    }

    private static void Fit(ScouterModel model, ScouterLoss loss, HeadSwapSettings settings, Device device, Action<string>? log)
    {
        model.to(device);
        model.train();
        using var optimizer = new ScalarSafeAdamW(model.parameters(), lr: settings.LearningRate, weight_decay: 0.01);
        for (var step = 1; step <= settings.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = QuadrantTask.Batch(settings.BatchSize, settings.ImageSize, device);
            optimizer.zero_grad();
            var output = model.ForwardDetailed(images);
            var result = loss.call(output, labels);
            result.Total.backward();
            optimizer.step();
            if (log is not null && (step == 1 || step % 25 == 0 || step == settings.Steps))
            {
                var accuracy = output.Scores.argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
                log($"step {step,4}  loss {result.Total.item<float>():F4}  nll {result.Nll.item<float>():F4}  area {result.Area.item<float>():F4}  acc {accuracy:P0}");
            }
        }
    }
}
