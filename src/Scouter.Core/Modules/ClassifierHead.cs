using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// A head that turns a backbone feature map <c>[B, C, h, w]</c> into class scores <c>[B, n]</c>: the xSlot head
/// (<see cref="XSlotClassifier"/>) or the FC baseline (<see cref="FcClassifierHead"/>). Used as a plain
/// <c>Module&lt;Tensor, Tensor&gt;</c> it returns the scores; <see cref="ForwardDetailed"/> returns everything it computed.
/// </summary>
public abstract class ClassifierHead : nn.Module<Tensor, Tensor>
{
    /// <summary>Initialises the module with its TorchSharp name.</summary>
    /// <param name="name">Module name.</param>
    protected ClassifierHead(string name) : base(name)
    {
    }

    /// <summary>
    /// The head <paramref name="options"/> describe: <see cref="XSlotClassifier"/>, or <see cref="FcClassifierHead"/>
    /// when <see cref="ClassifierHeadOptions.UseSlot"/> is false. The one place that chooses a head from options.
    /// </summary>
    /// <param name="options">Channels, classes and, for the xSlot head, its hyper-parameters; validated.</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static ClassifierHead FromOptions(ClassifierHeadOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseSlot
            ? XSlotClassifier.Create(options, device)
            : FcClassifierHead.Create(options.Channels, options.NumClasses, device);
    }

    /// <summary>Number of classes <c>n</c>.</summary>
    public abstract int NumClasses { get; }

    /// <summary>Feature-map channels <c>C</c> the head expects.</summary>
    public abstract int Channels { get; }

    /// <summary>
    /// Computes scores and, where the head has them, attention and per-class maps. Holds no state between calls,
    /// so concurrent calls on one instance are safe.
    /// </summary>
    /// <param name="features">Backbone feature map <c>[B, C, h, w]</c>, any <c>h, w ≥ 1</c>.</param>
    public abstract HeadOutput ForwardDetailed(Tensor features);

    /// <summary>Returns the class scores <c>[B, n]</c>.</summary>
    /// <param name="features">Backbone feature map <c>[B, C, h, w]</c>.</param>
    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        var output = ForwardDetailed(features);
        return output.Scores.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The named submodules that stand at the top level of the official model's state dict
    /// (<c>conv1x1</c> and <c>slot</c> for the xSlot head, <c>fc</c> for the FC head).
    /// <see cref="ScouterModel"/> registers them beside <c>backbone</c>, so state-dict keys match the official ones.
    /// </summary>
    protected internal virtual IEnumerable<(string Name, nn.Module Module)> TopLevelModules() => named_children();
}
