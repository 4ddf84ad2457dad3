namespace Scouter.Core.Training;

/// <summary>
/// Settings of the official training loop (<c>train.py</c>), with its defaults. The model's own
/// hyper-parameters live in <see cref="Options.ClassifierHeadOptions"/> and <see cref="Options.ScouterLossOptions"/>.
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>The configuration section conventionally used for these options.</summary>
    public const string SectionName = "Scouter:Training";

    /// <summary>Epochs to train (<c>--epochs</c>, default 10).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>AdamW learning rate (<c>--lr</c>, default 1e-4).</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>
    /// AdamW weight decay. The official script defines <c>--weight_decay 0.0001</c> but never passes it, so
    /// PyTorch's AdamW default 0.01 is what it trains with; that is our default (TorchSharp's own default is 0).
    /// </summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Epochs between learning-rate drops (<c>--lr_drop</c>, default 70).</summary>
    public int LrDrop { get; set; } = 70;

    /// <summary>Factor applied at each drop (StepLR γ, default 0.1).</summary>
    public double LrGamma { get; set; } = 0.1;

    /// <summary>Images per batch (<c>--batch_size</c>, default 64).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Seed of parameter initialisation, data order and augmentation (default 42).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Device request resolved by <see cref="ComputeDevice.Resolve"/> (<c>--device</c>; default <c>auto</c>).</summary>
    public string Device { get; set; } = ComputeDevice.Auto;

    /// <summary>
    /// Data-parallel replicas (<c>--world_size</c>, default 1) when <see cref="Devices"/> is not given: N replicas on
    /// <c>cuda:0 … cuda:N-1</c>, or N CPU replicas on a machine without CUDA (see <see cref="ComputeDevice.ResolveAll"/>).
    /// </summary>
    public int WorldSize { get; set; } = 1;

    /// <summary>
    /// Comma-separated devices of a data-parallel run (<c>--devices cuda:0,cuda:1</c>, or <c>cpu,cpu</c>); overrides
    /// <see cref="Device"/>. Null or empty: <see cref="WorldSize"/> decides.
    /// </summary>
    public string? Devices { get; set; }

    /// <summary>Where checkpoints go (<c>--output_dir</c>, default <c>saved_model/</c>); null or empty writes none.</summary>
    public string? OutputDir { get; set; } = "saved_model/";

    /// <summary>Data-set name used in checkpoint file names (<c>--dataset</c>, default MNIST).</summary>
    public string DatasetName { get; set; } = "MNIST";

    /// <summary>Resume from this run's latest checkpoint in <see cref="OutputDir"/> when it exists (<c>--resume</c>).</summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Where TensorBoard event files go (<c>--tensorboard</c>); null or empty writes none. Each epoch adds the train and
    /// validation loss, accuracy, NLL and area term, the learning rate, and, for an xSlot model, an image of
    /// explanations of the first <see cref="TensorBoardImages"/> validation images.
    /// </summary>
    public string? TensorBoardDir { get; set; }

    /// <summary>Validation images whose explanations are logged to TensorBoard each epoch (default 4; 0 for none).</summary>
    public int TensorBoardImages { get; set; } = 4;

    /// <summary>Write a numbered checkpoint every this many epochs (official: 10).</summary>
    public int NumberedCheckpointEvery { get; set; } = 10;
}
