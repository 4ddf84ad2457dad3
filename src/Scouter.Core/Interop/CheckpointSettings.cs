using System.Globalization;
using System.Text.RegularExpressions;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Options;

namespace Scouter.Core.Interop;

/// <summary>
/// Everything a checkpoint says about what its model computes and sees: the backbone and its output stride, the
/// input (channels, size, normalisation) and the head. <see cref="Read(OfficialCheckpoint)"/> takes it from the
/// training flags the checkpoint records (<c>args</c>, ours or the official code's <c>argparse.Namespace</c>), with the
/// official defaults where a flag is missing, and from the weights' shapes where they tell.
/// </summary>
/// <remarks>
/// The weights decide what their shapes show: the head kind (<c>conv1x1.*</c> or <c>backbone.fc.*</c>), the feature
/// channels, the slot dimension, the key layers, the class count and the stem's input channels. A checkpoint's
/// <c>args</c> can disagree with them: a run that leaves <c>--channel</c> at its default records 512 whatever the
/// backbone, and <c>num_classes</c> is recorded as given even when the data set has fewer classes.
/// </remarks>
/// <example>
/// <code>
/// using var checkpoint = OfficialCheckpoint.Read("MNIST_use_slot_checkpoint.pth");
/// var settings = CheckpointSettings.Read(checkpoint);      // resnet18, 1 channel, 64 px, MNIST normalisation, …
/// using var trained = TrainedModel.Create(checkpoint, settings with { ImageSize = 128 });
/// </code>
/// </example>
public sealed partial record CheckpointSettings
{
    /// <summary>The official default of <c>--model</c>.</summary>
    public const string DefaultModel = "resnet18";

    /// <summary>The official default of <c>--dataset</c>.</summary>
    public const string DefaultDataset = "MNIST";

    /// <summary>The official default of <c>--img_size</c>.</summary>
    public const int DefaultImageSize = 260;

    /// <summary>The backbone's registry name (<c>args.model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The data set trained on (<c>args.dataset</c>); null when the checkpoint names none and its stem is not one-channel.</summary>
    public string? Dataset { get; init; }

    /// <summary>Image channels the stem takes: 1 for MNIST (the official one-channel stem), 3 otherwise.</summary>
    public required int InputChannels { get; init; }

    /// <summary>Side of the square input the model was trained at (<c>args.img_size</c>).</summary>
    public required int ImageSize { get; init; }

    /// <summary>The backbone's output stride (<see cref="OfficialArgs.OutputStride"/>: 32 for an official checkpoint).</summary>
    public int OutputStride { get; init; } = BackboneOptions.DefaultOutputStride;

    /// <summary>The xSlot head (true) or the FC baseline (false).</summary>
    public bool UseSlot { get; init; } = true;

    /// <summary>Classes <c>n</c>.</summary>
    public required int NumClasses { get; init; }

    /// <summary>Feature channels <c>C</c> the head reads.</summary>
    public required int Channels { get; init; }

    /// <summary>Slot dimension <c>d</c> (xSlot).</summary>
    public int HiddenDim { get; init; } = 64;

    /// <summary>Slots per class <c>s</c> (xSlot).</summary>
    public int SlotsPerClass { get; init; } = 3;

    /// <summary>Linear layers of the key projection (xSlot).</summary>
    public int ToKLayers { get; init; } = 1;

    /// <summary>Positive or negative SCOUTER (<c>args.loss_status</c>); negative negates the scores.</summary>
    public ScouterPolarity Polarity { get; init; } = ScouterPolarity.Positive;

    /// <summary>The loss's λ (<c>args.lambda_value</c>; recorded, no forward pass reads it).</summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>The loss's area exponent (recorded; no forward pass reads it).</summary>
    public double Power { get; init; } = 2.0;

    /// <summary>The official normalisation of the input: MNIST's for a one-channel stem, ImageNet's otherwise.</summary>
    public Normalization Normalization => InputChannels == 1 ? Normalization.Mnist : Normalization.ImageNet;

    /// <summary>The settings the flags describe, with the official defaults for missing flags; nothing is read from weights.</summary>
    /// <param name="args">The recorded flags.</param>
    /// <exception cref="FormatException">A flag holds a value of the wrong kind.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A head value is out of range.</exception>
    public static CheckpointSettings FromArgs(OfficialArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var head = args.ToHeadOptions();
        var loss = args.ToLossOptions();
        var dataset = Has(args, "dataset") ? args.GetString("dataset") : DefaultDataset;
        return new CheckpointSettings
        {
            Model = Has(args, "model") ? args.GetString("model")! : DefaultModel,
            Dataset = dataset,
            InputChannels = DatasetRegistry.Default.ImageChannels(dataset),
            ImageSize = Has(args, "img_size") ? args.GetInt("img_size") : DefaultImageSize,
            OutputStride = args.OutputStride,
            UseSlot = head.UseSlot,
            NumClasses = head.NumClasses,
            Channels = head.Channels,
            HiddenDim = head.HiddenDim,
            SlotsPerClass = head.SlotsPerClass,
            ToKLayers = head.ToKLayers,
            Polarity = head.Polarity,
            Lambda = loss.Lambda,
            Power = loss.Power,
        }.Validated();
    }

    /// <summary>The settings of a checkpoint: its flags (official defaults where missing), corrected by what its weights' shapes show.</summary>
    /// <param name="checkpoint">An official-format checkpoint (ours or the official code's) or a bare state dict.</param>
    /// <exception cref="CheckpointFormatException">The weights contradict themselves (slots that are no multiple of the classes).</exception>
    /// <exception cref="FormatException">A flag holds a value of the wrong kind.</exception>
    public static CheckpointSettings Read(OfficialCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var settings = FromArgs(checkpoint.Args);
        var weights = new WeightShapes(checkpoint.Model);

        if (weights.Find("backbone.conv1.weight", "backbone.conv1.0.weight") is [_, var inputChannels, _, _])
        {
            settings = settings with
            {
                InputChannels = (int)inputChannels,
                Dataset = Has(checkpoint.Args, "dataset") ? settings.Dataset : inputChannels == 1 ? DefaultDataset : null,
            };
        }

        if (weights.Find("conv1x1.weight") is [var hiddenDim, var channels, _, _])
        {
            var keyLayers = weights.Count(ToKWeight());
            settings = settings with { UseSlot = true, HiddenDim = (int)hiddenDim, Channels = (int)channels, ToKLayers = keyLayers > 0 ? keyLayers : settings.ToKLayers };
            if (weights.Find("slot.initial_slots") is [_, var slots, _])
            {
                settings = WithSlotCount(settings, (int)slots, checkpoint.FilePath);
            }
        }
        else if (weights.Find("backbone.fc.weight", "fc.weight") is [var classes, var fcChannels])
        {
            settings = settings with { UseSlot = false, NumClasses = (int)classes, Channels = (int)fcChannels };
        }

        return settings.Validated();
    }

    /// <summary>Reads the settings of the checkpoint file at <paramref name="path"/>.</summary>
    /// <param name="path">A torch.save or safetensors file.</param>
    public static CheckpointSettings Read(string path)
    {
        using var checkpoint = OfficialCheckpoint.Read(path);
        return Read(checkpoint);
    }

    /// <summary>The head's options: what <see cref="TrainedModel"/> builds.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value is out of range.</exception>
    public ClassifierHeadOptions ToHeadOptions() => ClassifierHeadOptionsValidator.ThrowIfInvalid(new ClassifierHeadOptions
    {
        UseSlot = UseSlot,
        NumClasses = NumClasses,
        Channels = Channels,
        HiddenDim = HiddenDim,
        SlotsPerClass = SlotsPerClass,
        ToKLayers = ToKLayers,
        Polarity = Polarity,
    });

    /// <summary>The loss's options the model was trained with.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value is out of range.</exception>
    public ScouterLossOptions ToLossOptions() =>
        ScouterLossOptionsValidator.ThrowIfInvalid(new ScouterLossOptions { Lambda = Lambda, Power = Power });

    /// <summary>
    /// These settings as flags by their official names (<c>model</c>, <c>dataset</c>, <c>img_size</c>, <c>output_stride</c>,
    /// <c>use_slot</c>, <c>num_classes</c>, <c>channel</c>, …), typed as the official <c>args</c> holds them.
    /// </summary>
    public OfficialArgs ToArgs()
    {
        var extra = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = Model,
            ["img_size"] = (long)ImageSize,
            [OfficialArgs.OutputStrideFlag] = (long)OutputStride,
        };
        if (Dataset is not null)
        {
            extra["dataset"] = Dataset;
        }

        return OfficialArgs.FromOptions(ToHeadOptions(), ToLossOptions(), extra);
    }

    /// <summary>What turns an image into this model's input: resize to <see cref="ImageSize"/>, <see cref="InputChannels"/> channels, [0, 1], <see cref="Normalization"/>.</summary>
    public ImagePreprocessor CreatePreprocessor() => ImagePreprocessor.Create(ImageSize, Normalization);

    private static bool Has(OfficialArgs args, string name) => args.TryGetValue(name, out var value) && value is not null;

    // The initial slots hold n·s rows; the recorded num_classes can be the flag as given rather than the data set's.
    private static CheckpointSettings WithSlotCount(CheckpointSettings settings, int slots, string path)
    {
        if (settings.NumClasses * settings.SlotsPerClass == slots)
        {
            return settings;
        }

        if (slots % settings.SlotsPerClass == 0)
        {
            return settings with { NumClasses = slots / settings.SlotsPerClass };
        }

        return slots % settings.NumClasses == 0
            ? settings with { SlotsPerClass = slots / settings.NumClasses }
            : throw new CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
                $"slot.initial_slots holds {slots} slots, a multiple of neither num_classes {settings.NumClasses} nor slots_per_class {settings.SlotsPerClass} recorded in its args."));
    }

    private CheckpointSettings Validated()
    {
        ToHeadOptions();
        ToLossOptions();
        if (ImageSize < 1 || InputChannels < 1 || !BackboneOptions.SupportedOutputStrides.Contains(OutputStride) || string.IsNullOrWhiteSpace(Model))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"Checkpoint settings out of range: model '{Model}', {InputChannels} input channel(s), img_size {ImageSize}, output_stride {OutputStride}."));
        }

        return this;
    }

    [GeneratedRegex(@"^(module\.)?slot\.to_k\.\d+\.weight$")]
    private static partial Regex ToKWeight();

    /// <summary>Shapes of a state dict's entries, found with or without a DDP <c>module.</c> prefix.</summary>
    private sealed class WeightShapes(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> weights)
    {
        public long[]? Find(params string[] keys) =>
            keys.SelectMany(key => new[] { key, "module." + key })
                .Select(key => weights.TryGetValue(key, out var tensor) ? tensor.shape : null)
                .FirstOrDefault(shape => shape is not null);

        public int Count(Regex pattern) => weights.Keys.Count(pattern.IsMatch);
    }
}
