// The xSlot classifier head of SCOUTER (Li et al., ICCV 2021): the part of the official SlotModel
// (sloter/slot_model.py) between the backbone and log_softmax. Written from docs/official-implementation.md §1; the
// code is our own. Unlike the official code it takes any feature-map size, not only 9×9.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using Scouter.Core.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// SCOUTER's explainable classifier head, taking the place of global average pooling + FC. A 1×1 convolution
/// maps the <c>C</c> backbone channels to <c>d</c>, a sine position embedding is added to form the keys, and
/// <see cref="XSlotAttention"/> gives each class <c>s</c> slots whose summed attention updates are the class score
/// (negated for negative SCOUTER). The attention behind each score is the class's explanation map.
/// </summary>
/// <example>
/// <code>
/// var head = XSlotClassifier.Create(new ClassifierHeadOptions { Channels = 512, NumClasses = 10, SlotsPerClass = 1 });
/// using var output = head.ForwardDetailed(features);   // features: [B, 512, h, w]
/// // output.Scores [B, 10], output.ClassMaps [B, 10, h, w]
/// </code>
/// </example>
public sealed class XSlotClassifier : ClassifierHead
{
    private readonly Conv2d conv1x1;
    private readonly XSlotAttention slot;
    private readonly SinePositionEmbedding position_emb;

    private readonly ClassifierHeadOptions options;

    private XSlotClassifier(ClassifierHeadOptions options, Device? device) : base(nameof(XSlotClassifier))
    {
        this.options = options;
        conv1x1 = nn.Conv2d(options.Channels, options.HiddenDim, kernel_size: 1);
        slot = XSlotAttention.Create(options);
        position_emb = new SinePositionEmbedding(options.HiddenDim);
        RegisterComponents();

        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>Creates an xSlot head.</summary>
    /// <param name="options">Head hyper-parameters; copied, so later changes to the object do not affect the head. <see cref="ClassifierHeadOptions.UseSlot"/> is not read: to choose the head by it, use <see cref="ClassifierHead.FromOptions"/>.</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public static XSlotClassifier Create(ClassifierHeadOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new XSlotClassifier(ClassifierHeadOptionsValidator.ThrowIfInvalid(options.Clone()), device);
    }

    /// <inheritdoc />
    public override int NumClasses => options.NumClasses;

    /// <inheritdoc />
    public override int Channels => options.Channels;

    /// <summary>A copy of the options the head was built with.</summary>
    public ClassifierHeadOptions Options => options.Clone();

    /// <summary>Slots per class <c>s</c>.</summary>
    public int SlotsPerClass => options.SlotsPerClass;

    /// <summary>Slot dimension <c>d</c>.</summary>
    public int HiddenDim => options.HiddenDim;

    /// <summary>Positive or negative SCOUTER.</summary>
    public ScouterPolarity Polarity => options.Polarity;

    /// <inheritdoc />
    public override HeadOutput ForwardDetailed(Tensor features)
    {
        TensorChecks.Rank(features, 4, nameof(XSlotClassifier), $"a feature map [B, C = {Channels}, h, w]", nameof(features));
        TensorChecks.FloatingPoint(features, nameof(XSlotClassifier), nameof(features));
        if (features.shape[1] != Channels)
        {
            throw new ArgumentException($"{nameof(XSlotClassifier)} was built for C = {Channels} feature channels; got {TensorChecks.Describe(features)}. Set ClassifierHeadOptions.Channels to the backbone's output channels.", nameof(features));
        }

        TensorChecks.NonEmptySpatial(features, nameof(XSlotClassifier), nameof(features));

        using var scope = NewDisposeScope();
        long batch = features.shape[0], height = features.shape[2], width = features.shape[3];
        int n = options.NumClasses, s = options.SlotsPerClass, d = options.HiddenDim;

        var x = nn.functional.relu(conv1x1.call(features)); // [B, d, h, w]
        var xPe = x.Plus(position_emb.call(x)); // x + pe
        var values = x.flatten(2).transpose(1, 2); // [B, hw, d], row-major positions
        var keysSource = xPe.flatten(2).transpose(1, 2);

        var attended = slot.call(keysSource, values); // both tensors belong to this scope

        // Class-major slots: a view [B, n, s, …] and a sum over s replaces the official per-class loop.
        var scores = attended.Updates.sum(2).view(batch, n, s).sum(2);
        if (options.Polarity == ScouterPolarity.Negative)
        {
            scores = scores.neg();
        }

        var classMaps = attended.Attention.view(batch, n, s, height * width).sum(2).view(batch, n, height, width);
        var output = new HeadOutput(scores, attended.Attention, classMaps);
        return output.MoveToOuterDisposeScope();
    }
}
