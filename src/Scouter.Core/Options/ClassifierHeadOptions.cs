namespace Scouter.Core.Options;

/// <summary>
/// What a classifier head is: the xSlot head or the FC baseline (<see cref="UseSlot"/>), its classes and input channels,
/// and the xSlot head's hyper-parameters. Defaults are those of the official <c>train.py</c> flags (named in each
/// property's summary). The loss has its own options, <see cref="ScouterLossOptions"/>.
/// </summary>
/// <remarks>
/// Bind it from the <c>"Scouter:Head"</c> configuration section (<see cref="SectionName"/>) with
/// <see cref="DependencyInjection.ScouterServiceCollectionExtensions"/>, or create it directly;
/// <see cref="ClassifierHeadOptionsValidator"/> checks every value.
/// </remarks>
public sealed class ClassifierHeadOptions
{
    /// <summary>The configuration section conventionally used for these options.</summary>
    public const string SectionName = "Scouter:Head";

    /// <summary>
    /// <see langword="true"/> for the xSlot head; <see langword="false"/> for the FC baseline
    /// (global average pool + Linear) the paper compares against (<c>--use_slot</c>, default true).
    /// The FC head reads only <see cref="NumClasses"/> and <see cref="Channels"/>.
    /// </summary>
    public bool UseSlot { get; set; } = true;

    /// <summary>Number of classes <c>n</c> (<c>--num_classes</c>, default 10).</summary>
    public int NumClasses { get; set; } = 10;

    /// <summary>
    /// Channels <c>C</c> of the backbone feature map the head receives (<c>--channel</c>, default 512: resnet18/34).
    /// <see cref="Modules.ScouterModel.Create(Backbones.Backbone, ClassifierHeadOptions, TorchSharp.torch.Device?)"/>
    /// takes it from the backbone instead.
    /// </summary>
    public int Channels { get; set; } = 512;

    /// <summary>Hidden dimension <c>d</c> of the slots (<c>--hidden_dim</c>, default 64). Must be even: the sine position embedding uses d/2 features per axis.</summary>
    public int HiddenDim { get; set; } = 64;

    /// <summary>Slots per class <c>s</c> (<c>--slots_per_class</c>, default 3). A class's score and map are sums over its slots.</summary>
    public int SlotsPerClass { get; set; } = 3;

    /// <summary>Number of Linear layers in the key projection (<c>--to_k_layer</c>, default 1), separated by ReLU.</summary>
    public int ToKLayers { get; set; } = 1;

    /// <summary>Slot-attention iterations <c>T</c> (default 3, fixed in the official code).</summary>
    public int Iterations { get; set; } = 3;

    /// <summary>Positive or negative SCOUTER (<c>--loss_status</c> 1 or −1, default positive): the xSlot head negates its scores for negative SCOUTER.</summary>
    public ScouterPolarity Polarity { get; set; } = ScouterPolarity.Positive;

    /// <summary>Total number of slots <c>K = n·s</c>.</summary>
    public int TotalSlots => NumClasses * SlotsPerClass;

    /// <summary>Returns a copy, so a module never shares a mutable options object with its caller.</summary>
    public ClassifierHeadOptions Clone() => (ClassifierHeadOptions)MemberwiseClone();
}
