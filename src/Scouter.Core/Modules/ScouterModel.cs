using Scouter.Core.Backbones;
using Scouter.Core.Internal;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// A whole classifier: any backbone producing a feature map <c>[B, C, h, w]</c> followed by a
/// <see cref="ClassifierHead"/> (xSlot or FC). One training loop serves both kinds.
/// </summary>
/// <remarks>
/// The state dict has the official SCOUTER layout: <c>backbone.*</c>, then the head's modules at the top level
/// (<c>conv1x1.*</c>, <c>slot.*</c> for xSlot; <c>fc.*</c> for the FC head). That is why the head's children are
/// registered here by name rather than the head itself under a <c>head.</c> prefix.
/// </remarks>
public sealed class ScouterModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> backbone;
    private readonly ClassifierHead head;

    private ScouterModel(nn.Module<Tensor, Tensor> backbone, ClassifierHead head) : base(nameof(ScouterModel))
    {
        this.backbone = backbone;
        this.head = head;

        // Registered by hand instead of RegisterComponents(): the head's children must sit beside "backbone".
        register_module(nameof(backbone), backbone);
        foreach (var (name, module) in head.TopLevelModules())
        {
            register_module(name, module);
        }
    }

    /// <summary>Composes a backbone and a head.</summary>
    /// <param name="backbone">A module mapping images to a feature map <c>[B, C, h, w]</c> whose <c>C</c> is <see cref="ClassifierHead.Channels"/>.</param>
    /// <param name="head">The classifier head.</param>
    public static ScouterModel Create(nn.Module<Tensor, Tensor> backbone, ClassifierHead head)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        return new ScouterModel(backbone, head);
    }

    /// <summary>
    /// Composes <paramref name="backbone"/>'s feature extractor with the head <paramref name="options"/> describe
    /// (<see cref="ClassifierHead.FromOptions"/>), reading the head's input channels from the backbone.
    /// </summary>
    /// <param name="backbone">The backbone; its <see cref="Backbone.Channels"/> replaces <see cref="ClassifierHeadOptions.Channels"/>. It stays the caller's to dispose.</param>
    /// <param name="options">The head's hyper-parameters; not modified.</param>
    /// <param name="device">Where the head's parameters live (CPU when null); the backbone is not moved.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static ScouterModel Create(Backbone backbone, ClassifierHeadOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(options);
        var head = options.Clone();
        head.Channels = backbone.Channels;
        return new ScouterModel(backbone.Features, ClassifierHead.FromOptions(head, device));
    }

    /// <summary>The feature extractor.</summary>
    public nn.Module<Tensor, Tensor> Backbone => backbone;

    /// <summary>The classifier head.</summary>
    public ClassifierHead Head => head;

    /// <inheritdoc />
    public override void train(bool train = true)
    {
        base.train(train);
        head.train(train); // the head object itself is not a registered child
    }

    /// <summary>Runs backbone and head and returns everything the head computed.</summary>
    /// <param name="images">Input images <c>[B, Cin, H, W]</c>.</param>
    public HeadOutput ForwardDetailed(Tensor images)
    {
        TensorChecks.Rank(images, 4, nameof(ScouterModel), "images [B, channels, H, W]", nameof(images));
        using var scope = NewDisposeScope();
        var features = backbone.call(images);
        return head.ForwardDetailed(features).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the class scores <c>[B, n]</c>; <c>log_softmax</c> of them is the official model's output.</summary>
    /// <param name="images">Input images <c>[B, Cin, H, W]</c>.</param>
    public override Tensor forward(Tensor images)
    {
        TensorChecks.Rank(images, 4, nameof(ScouterModel), "images [B, channels, H, W]", nameof(images));
        using var scope = NewDisposeScope();
        return head.call(backbone.call(images)).MoveToOuterDisposeScope();
    }
}
