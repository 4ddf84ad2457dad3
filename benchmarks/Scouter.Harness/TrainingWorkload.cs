using Scouter.Core.Backbones;
using Scouter.Core.Compat;
using Scouter.Core.Explanations;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Harness;

/// <summary>
/// The model, SCOUTER loss, AdamW optimizer and one random batch that <see cref="TrainingStepBenchmark"/>,
/// <see cref="MemorySoak"/> and the BenchmarkDotNet suite exercise, with the three operations they time. Each
/// operation runs under its own dispose scope and leaves no tensor behind.
/// </summary>
/// <example>
/// <code>
/// using var workload = new TrainingWorkload(new TrainingBenchmarkOptions { Backbone = "resnet18", ImageSize = 64 });
/// workload.Model.train();
/// var loss = workload.TrainStep();
/// </code>
/// </example>
public sealed class TrainingWorkload : IDisposable
{
    private readonly Backbone backbone;
    private readonly ScouterLoss loss;
    private readonly AdamW optimizer;
    private readonly Tensor images;
    private readonly Tensor labels;

    /// <summary>Builds the configured model, loss, optimizer and batch, and sets the LibTorch thread count.</summary>
    /// <param name="options">The configuration; validated and copied.</param>
    /// <exception cref="ArgumentException">An option is out of range, or the backbone name is unknown.</exception>
    public TrainingWorkload(TrainingBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validated();
        Threads = ComputeDevice.ConfigureThreads(Options.Threads);
        manual_seed(Options.Seed);

        backbone = BackboneRegistry.Default.Create(Options.Backbone, new BackboneOptions { InputChannels = Options.InputChannels, OutputStride = Options.OutputStride });
        var head = new ClassifierHeadOptions
        {
            NumClasses = Options.NumClasses,
            SlotsPerClass = Options.SlotsPerClass,
            HiddenDim = Options.HiddenDim,
            UseSlot = Options.UseSlot,
        };
        Model = ScouterModel.Create(backbone, head);
        if (Options.ChannelsLast)
        {
            ChannelsLast.ConvertConvolutions(Model);
        }

        loss = ScouterLoss.Create(new ScouterLossOptions());
        optimizer = new ScalarSafeAdamW(Model.parameters().Where(p => p.requires_grad), lr: Options.LearningRate, weight_decay: Options.WeightDecay);

        images = randn(Options.BatchSize, Options.InputChannels, Options.ImageSize, Options.ImageSize);
        labels = randint(0, Options.NumClasses, [Options.BatchSize]);
    }

    /// <summary>The configuration (a validated copy).</summary>
    public TrainingBenchmarkOptions Options { get; }

    /// <summary>LibTorch intra-op threads in force.</summary>
    public int Threads { get; }

    /// <summary>The model (backbone and head).</summary>
    public ScouterModel Model { get; }

    /// <summary>The random image batch <c>[B, Cin, S, S]</c>.</summary>
    public Tensor Images => images;

    /// <summary>The random labels <c>[B]</c>.</summary>
    public Tensor Labels => labels;

    /// <summary>One official training step: zero_grad, forward, SCOUTER loss, backward, AdamW, read the loss back.</summary>
    /// <returns>The step's loss.</returns>
    public float TrainStep()
    {
        using var scope = NewDisposeScope();
        Model.zero_grad(); // set to none, as Trainer does
        using var output = Model.ForwardDetailed(images);
        var result = loss.call(output, labels);
        result.Total.backward();
        optimizer.step();
        return result.Total.item<float>();
    }

    /// <summary>One inference forward pass in eval mode without gradients (put the model in eval mode first).</summary>
    public void EvalForward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = Model.ForwardDetailed(images);
    }

    /// <summary>
    /// Explanation maps for every class of every image, as an application asks for them: one forward pass, then the
    /// official 8-bit maps at image resolution.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has the FC head, which computes no maps.</exception>
    public void Explain()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = Model.ForwardDetailed(images);
        var maps = output.ClassMaps ?? throw new InvalidOperationException("The FC head computes no explanation maps; benchmark explanations with UseSlot = true.");
        using var upsampled = ExplanationMaps.Upsample(maps, Options.ImageSize, Options.ImageSize);
        using var bytes = ExplanationMaps.ToOfficialUInt8(upsampled);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        images.Dispose();
        labels.Dispose();
        loss.Dispose();
        Model.Dispose();
        backbone.Dispose();
    }
}
