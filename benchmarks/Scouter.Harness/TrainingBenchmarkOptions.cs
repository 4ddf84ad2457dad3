using Scouter.Core.Backbones;
using Scouter.Core.Training;

namespace Scouter.Harness;

/// <summary>
/// What <see cref="TrainingStepBenchmark"/> and <see cref="MemorySoak"/> build and time: a backbone from the
/// <see cref="BackboneRegistry"/>, an xSlot or FC head, random images and labels, AdamW. The defaults are the
/// official MNIST recipe at 260 px with batch 8 and one slot per class.
/// </summary>
public sealed class TrainingBenchmarkOptions
{
    /// <summary>The configuration section conventionally used for these options.</summary>
    public const string SectionName = "Scouter:Benchmark";

    /// <summary>Backbone name in <see cref="BackboneRegistry.Default"/> (default <c>resnet18</c>).</summary>
    public string Backbone { get; set; } = "resnet18";

    /// <summary>Image channels (1 selects the MNIST stem; default 1).</summary>
    public int InputChannels { get; set; } = 1;

    /// <summary>Backbone output stride: 32 (default), 16 or 8 (<see cref="BackboneOptions.OutputStride"/>).</summary>
    public int OutputStride { get; set; } = BackboneOptions.DefaultOutputStride;

    /// <summary>Square image side in pixels (default 260, which gives resnet18 a 9×9 map).</summary>
    public int ImageSize { get; set; } = 260;

    /// <summary>Images per batch (default 8).</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Classes <c>n</c> (default 10).</summary>
    public int NumClasses { get; set; } = 10;

    /// <summary>Slots per class <c>s</c> (default 1).</summary>
    public int SlotsPerClass { get; set; } = 1;

    /// <summary>Slot dimension <c>d</c> (default 64).</summary>
    public int HiddenDim { get; set; } = 64;

    /// <summary>xSlot head when true (default); the FC baseline (pooling + linear) when false.</summary>
    public bool UseSlot { get; set; } = true;

    /// <summary>LibTorch threads; null means the physical core count (<see cref="ComputeDevice.ConfigureThreads"/>).</summary>
    public int? Threads { get; set; }

    /// <summary>Untimed training steps and eval forwards before the timed ones (default 3).</summary>
    public int WarmupSteps { get; set; } = 3;

    /// <summary>Timed training steps (default 10).</summary>
    public int TrainingSteps { get; set; } = 10;

    /// <summary>Timed eval forwards (default 10; 0 skips them).</summary>
    public int EvalSteps { get; set; } = 10;

    /// <summary>
    /// Convolution weights in the channels-last layout (<see cref="ChannelsLast"/>); default false, the
    /// layout <see cref="Trainer"/> trains with.
    /// </summary>
    public bool ChannelsLast { get; set; }

    /// <summary>Seed of the parameters and the random batch (default 0).</summary>
    public int Seed { get; set; }

    /// <summary>AdamW learning rate (default 1e-4, the official one).</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>AdamW weight decay (default 0.01, what the official script trains with).</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>
    /// Names of the configurations measured side by side with the official code (<see cref="Preset"/>):
    /// <c>mnist260</c> (resnet18, MNIST stem, 260 px, batch 8, s = 1), <c>r18_64</c> (resnet18, 3 channels, 64 px,
    /// batch 32, s = 3), <c>resnest260</c> (resnest26d, 260 px, batch 4, s = 1), <c>mnist64</c> (a quick check:
    /// resnet18, MNIST stem, 64 px, batch 8, s = 1). All have 10 classes and d = 64.
    /// </summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["mnist260", "r18_64", "resnest260", "mnist64"];

    /// <summary>A named configuration (see <see cref="PresetNames"/>) with the xSlot head.</summary>
    /// <param name="name">A preset name, case-insensitive.</param>
    /// <exception cref="ArgumentException">The name is not a preset; the message lists the presets.</exception>
    public static TrainingBenchmarkOptions Preset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "mnist260" => new TrainingBenchmarkOptions(),
            "r18_64" => new TrainingBenchmarkOptions { InputChannels = 3, ImageSize = 64, BatchSize = 32, SlotsPerClass = 3 },
            "resnest260" => new TrainingBenchmarkOptions { Backbone = "resnest26d", InputChannels = 3, BatchSize = 4 },
            "mnist64" => new TrainingBenchmarkOptions { ImageSize = 64 },
            _ => throw new ArgumentException($"Unknown benchmark preset '{name}'. Presets: {string.Join(", ", PresetNames)}.", nameof(name)),
        };
    }

    /// <summary>A copy of these options.</summary>
    public TrainingBenchmarkOptions Clone() => (TrainingBenchmarkOptions)MemberwiseClone();

    /// <summary>One line naming the configuration, e.g. <c>resnet18 1ch 260px b8 xslot n10 s1</c> (<c>resnet18 os8 …</c> at output stride 8).</summary>
    public override string ToString() =>
        $"{Backbone}{(OutputStride == BackboneOptions.DefaultOutputStride ? string.Empty : $" os{OutputStride}")} {InputChannels}ch {ImageSize}px b{BatchSize} {(UseSlot ? "xslot" : "fc")} n{NumClasses}{(UseSlot ? $" s{SlotsPerClass}" : string.Empty)}";

    internal TrainingBenchmarkOptions Validated()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Backbone))
        {
            problems.Add("Backbone must name a registered backbone");
        }

        void AtLeast(int value, int minimum, string name)
        {
            if (value < minimum)
            {
                problems.Add($"{name} must be at least {minimum}; got {value}");
            }
        }

        AtLeast(InputChannels, 1, nameof(InputChannels));
        AtLeast(ImageSize, 1, nameof(ImageSize));
        AtLeast(BatchSize, 1, nameof(BatchSize));
        AtLeast(NumClasses, 1, nameof(NumClasses));
        AtLeast(SlotsPerClass, 1, nameof(SlotsPerClass));
        AtLeast(HiddenDim, 2, nameof(HiddenDim));
        AtLeast(WarmupSteps, 0, nameof(WarmupSteps));
        AtLeast(TrainingSteps, 1, nameof(TrainingSteps));
        AtLeast(EvalSteps, 0, nameof(EvalSteps));
        if (!BackboneOptions.SupportedOutputStrides.Contains(OutputStride))
        {
            problems.Add($"OutputStride must be 32, 16 or 8; got {OutputStride}");
        }

        if (Threads is < 1)
        {
            problems.Add($"Threads must be at least 1 or null; got {Threads}");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid benchmark options: {string.Join("; ", problems)}.");
        }

        return Clone();
    }
}
