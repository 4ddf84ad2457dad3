using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Options;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// The typed settings of one run (one sweep setting), read from the official flags, with the synthetic data
/// set's profile applied where the user left a flag at its default.
/// </summary>
internal sealed record RunSettings(
    string Model,
    DatasetOptions Data,
    ClassifierHeadOptions Head,
    ScouterLossOptions Loss,
    TrainingOptions Training,
    bool PreTrained,
    bool PreTrainedExplicit,
    bool UsePre,
    int FreezeLayers,
    string PreDir,
    int Workers,
    int? ChannelFlag)
{
    /// <summary>
    /// Flags the synthetic data set changes when the user did not set them: small images, a short run, no ImageNet
    /// weights and the seed's two-stage recipe (<c>use_pre</c>: trained jointly from random weights, the xSlot head
    /// collapses on this data, while an FC warm-up of the backbone lets it learn). The SCOUTER stage is the
    /// map-resolution study's closest configuration to maps that point at the evidence (docs/explanations.md §8):
    /// output stride 8, so its maps are 8×8 at 64 px (on 2×2 and 4×4 maps no setting localised the shapes), one slot
    /// per class (with ten, a class's slots cover most of the map) and the official λ = 1 (λ = 10 shrank the maps but
    /// let one class's attention die, sigmoid saturated at 0, so it was never predicted; λ = 3 learned slower within
    /// two epochs). The warm-up stays at stride 32, the official architecture and the cheapest: the weights are the
    /// same at every stride. Epochs are sized so that the whole job fits ten minutes on two cores without AVX-512
    /// (docs/datasets.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SyntheticProfile = new Dictionary<string, string>
    {
        ["img_size"] = "64",
        ["epochs"] = "2",
        ["batch_size"] = "32",
        ["pre_trained"] = "false",
        ["freeze_layers"] = "0",
        ["use_pre"] = "true",
        ["slots_per_class"] = "1",
        ["output_stride"] = "8",
        // Both SCOUTER epochs at the official 1e-4 (the drop would come after the second).
        ["lr_drop"] = "2",
    };

    /// <summary>
    /// The automatic FC warm-up's flags where the user did not set them (<c>use_slot</c> is always false): the FC
    /// baseline learns this data fastest at lr 1e-3 and gains most from one epoch at 1e-4 at the end (four epochs,
    /// the drop after three), while the xSlot stage keeps the official 1e-4 (measured in docs/datasets.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SyntheticWarmUpProfile = new Dictionary<string, string>
    {
        ["use_slot"] = "false",
        ["lr"] = "0.001",
        ["epochs"] = "4",
        ["lr_drop"] = "3",
        ["output_stride"] = "32",
    };

    /// <summary>
    /// The scene set's profile (<c>--dataset SyntheticScenes</c>): the same short CPU recipe as the shapes set's: two
    /// stages, one slot per class, output stride 8.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SyntheticScenesProfile = new Dictionary<string, string>(SyntheticProfile);

    /// <summary>The scene set's FC warm-up, where the user did not set the flags.</summary>
    public static readonly IReadOnlyDictionary<string, string> SyntheticScenesWarmUpProfile = new Dictionary<string, string>(SyntheticWarmUpProfile);

    /// <summary>Whether this run is the synthetic profile's automatic FC warm-up candidate (use_pre left at the profile's default).</summary>
    public bool WarmsUpAutomatically { get; init; }

    /// <summary>For <c>--model onnx:PATH</c>: the graph value the feature map is cut at (null: before the last pooling).</summary>
    public string? OnnxOutput { get; init; }

    /// <summary>For <c>--model onnx:PATH</c>: what the graph expects as input (<c>normalized</c> or <c>mlnet_resnet</c>).</summary>
    public string OnnxInput { get; init; } = "normalized";

    /// <summary>Whether the model's convolution weights are made channels-last, and why (<see cref="PerformanceSettings.ConvolutionLayout"/>).</summary>
    public PerformanceChoice ConvolutionLayout { get; init; } = new(false, "plain layout");

    /// <summary>The backbone's output stride (<c>--output_stride</c>): 32, 16 or 8.</summary>
    public int OutputStride { get; init; } = BackboneOptions.DefaultOutputStride;

    /// <summary>
    /// Where <c>--use_pre</c> finds the FC baseline's checkpoint: <c>--output_dir</c>, also for the settings of a sweep,
    /// which write their own runs in subfolders of it.
    /// </summary>
    public string PreCheckpointDir { get; init; } = string.Empty;

    /// <summary>The FC baseline's checkpoint that <c>--use_pre</c> reads.</summary>
    public string PreCheckpointPath => Path.Combine(PreCheckpointDir, CheckpointNames.Latest(Training.DatasetName, useSlot: false, ScouterPolarity.Positive));

    public static RunSettings From(ParsedArguments args)
    {
        var warmUp = IsSynthetic(args) && !args.IsExplicit("use_pre") && args.Boolean("use_slot");
        args = Effective(args);

        var lossStatus = args.Integer("loss_status");
        if (lossStatus is not (1 or -1))
        {
            throw new UsageException($"--loss_status must be 1 (positive SCOUTER) or -1 (negative SCOUTER); got {lossStatus}.");
        }

        var head = new ClassifierHeadOptions
        {
            NumClasses = Single(args.IntegerList("num_classes"), "num_classes"),
            Channels = args.Integer("channel"),
            HiddenDim = args.Integer("hidden_dim"),
            SlotsPerClass = Single(args.IntegerList("slots_per_class"), "slots_per_class"),
            ToKLayers = args.Integer("to_k_layer"),
            Polarity = (ScouterPolarity)lossStatus,
            UseSlot = args.Boolean("use_slot"),
        };
        var loss = new ScouterLossOptions
        {
            Lambda = Single(args.NumberList("lambda_value"), "lambda_value"),
            Power = Single(args.NumberList("power"), "power"),
        };

        var seed = args.Integer("seed");
        var data = new DatasetOptions
        {
            Name = args.Text("dataset")!,
            // The official code reads MNIST from torchvision's './data/mnist'; the seed's MNIST commands rely on it.
            DatasetDir = args.Text("dataset_dir") ?? (string.Equals(args.Text("dataset"), "MNIST", StringComparison.OrdinalIgnoreCase) ? "./data/mnist" : null),
            NumClasses = head.NumClasses,
            ImageSize = args.Integer("img_size"),
            Augment = args.Boolean("aug"),
            Seed = seed,
            SyntheticTrainCount = args.Integer("synthetic_train"),
            SyntheticValCount = args.Integer("synthetic_val"),
        };

        var training = new TrainingOptions
        {
            Epochs = args.Integer("epochs"),
            LearningRate = args.Number("lr"),
            LrDrop = args.Integer("lr_drop"),
            BatchSize = args.Integer("batch_size"),
            Seed = seed,
            Device = args.Text("device") ?? ComputeDevice.Auto,
            WorldSize = args.Integer("world_size"),
            Devices = args.Text("devices"),
            OutputDir = args.Text("output_dir"),
            DatasetName = args.Text("dataset")!,
            Resume = ResumeRequested(args.Text("resume")),
            TensorBoardDir = args.Text("tensorboard"),
        };

        return new RunSettings(
            args.Text("model")!,
            data,
            head,
            loss,
            training,
            args.Boolean("pre_trained"),
            args.IsExplicit("pre_trained"),
            args.Boolean("use_pre"),
            args.Integer("freeze_layers"),
            args.Text("pre_dir") ?? "pre_model/",
            args.Integer("num_workers"),
            args.IsExplicit("channel") ? args.Integer("channel") : null)
        {
            WarmsUpAutomatically = warmUp,
            OnnxOutput = args.Text("onnx_output"),
            OnnxInput = args.Text("onnx_input")!,
            PreCheckpointDir = args.Text("output_dir") ?? string.Empty,
            ConvolutionLayout = PerformanceSettings.ConvolutionLayout(args),
            OutputStride = ReadOutputStride(args),
        };
    }

    /// <summary>
    /// The flags as this run uses them: the synthetic profile applied where the user left a flag at its default. An
    /// imported ONNX backbone keeps the strides of its graph, so the profile's output stride does not apply to it.
    /// </summary>
    public static ParsedArguments Effective(ParsedArguments args) =>
        ProfileOf(args) is { } profile
            ? args.With(profile.Where(p => !args.IsExplicit(p.Key) && !(p.Key == "output_stride" && OnnxBackboneSettings.IsOnnx(args.Text("model") ?? string.Empty)))
                .ToDictionary(p => p.Key, p => p.Value))
            : args;

    /// <summary>Whether the run uses an embedded synthetic data set, whose profile fills unset flags.</summary>
    public static bool IsSynthetic(ParsedArguments args) => ProfileOf(args) is not null;

    /// <summary>The profile of the embedded synthetic data set <c>--dataset</c> names, or null for data on disk.</summary>
    public static IReadOnlyDictionary<string, string>? ProfileOf(ParsedArguments args) => Profiles(args)?.Profile;

    /// <summary>The automatic FC warm-up's profile of the synthetic data set <c>--dataset</c> names, or null for data on disk.</summary>
    public static IReadOnlyDictionary<string, string>? WarmUpProfileOf(ParsedArguments args) => Profiles(args)?.WarmUp;

    private static (IReadOnlyDictionary<string, string> Profile, IReadOnlyDictionary<string, string> WarmUp)? Profiles(ParsedArguments args) =>
        args.Text("dataset")?.Trim() switch
        {
            { } name when name.Equals(SyntheticShapesDataset.DatasetName, StringComparison.OrdinalIgnoreCase) => (SyntheticProfile, SyntheticWarmUpProfile),
            { } name when name.Equals(SyntheticScenesDataset.DatasetName, StringComparison.OrdinalIgnoreCase) => (SyntheticScenesProfile, SyntheticScenesWarmUpProfile),
            _ => null,
        };

    /// <summary><c>--output_stride</c>, which must be 32, 16 or 8.</summary>
    public static int ReadOutputStride(ParsedArguments args)
    {
        var outputStride = args.Integer("output_stride");
        return BackboneOptions.SupportedOutputStrides.Contains(outputStride)
            ? outputStride
            : throw new UsageException($"--output_stride must be 32 (the official architecture), 16 or 8; got {outputStride}.");
    }

    /// <summary>A checkpoint path given to <c>--resume</c> (the official flag takes a path), or null.</summary>
    public static string? ResumePath(string? value) =>
        value is null || FlagValues.ParseBoolean(value) is not null ? null : value;

    private static bool ResumeRequested(string? value) =>
        value is not null && (FlagValues.ParseBoolean(value) ?? true);

    private static T Single<T>(IReadOnlyList<T> values, string flag) =>
        values.Count == 1 ? values[0] : throw new UsageException($"--{flag} holds a sweep list; run one setting at a time here.");
}
