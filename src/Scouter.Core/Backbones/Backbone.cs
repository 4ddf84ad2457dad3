using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// A feature extractor ready for a SCOUTER head: a module mapping images <c>[B, InputChannels, H, W]</c> to a feature
/// map <c>[B, Channels, h, w]</c>, with its name and what freezing needs. Built by <see cref="BackboneRegistry"/>,
/// <see cref="TorchVisionBackbones"/>, or <see cref="FromModule"/> for any module of your own.
/// </summary>
/// <example>
/// <code>
/// using var backbone = BackboneRegistry.Default.Create("resnest26d");
/// backbone.FreezeLayers(2);                                    // layer3 and layer4 train
/// var model = ScouterModel.Create(backbone, new ClassifierHeadOptions { NumClasses = 200 }); // channels from the backbone
/// </code>
/// </example>
public sealed class Backbone : IDisposable
{
    /// <summary>Side length of the square dummy image <see cref="FromModule"/> uses to find the channel count.</summary>
    public const int DefaultProbeSize = 224;

    // The model the features were cut from, kept so the modules it owns live (and are disposed) with the backbone.
    private readonly nn.Module? source;

    private Backbone(string name, nn.Module<Tensor, Tensor> features, int channels, int inputChannels, int? outputStride, nn.Module? source)
    {
        Name = name;
        Features = features;
        Channels = channels;
        InputChannels = inputChannels;
        OutputStride = outputStride;
        this.source = source;
    }

    /// <summary>The name it was created under (<c>resnet18</c>, <c>resnest26d</c>, …).</summary>
    public string Name { get; }

    /// <summary>The feature extractor; pass it to <c>ScouterModel.Create</c>. The built-ins' state-dict keys are PyTorch's (TorchVision's, timm's).</summary>
    public nn.Module<Tensor, Tensor> Features { get; }

    /// <summary>Channels <c>C</c> of the feature map (512 for resnet18/34, 2048 for the other built-ins).</summary>
    public int Channels { get; }

    /// <summary>Image channels the first layer expects.</summary>
    public int InputChannels { get; }

    /// <summary>
    /// How many input pixels one feature-map cell steps over (32, 16 or 8 for the built-ins; an H×W image gives a map
    /// of about H/stride × W/stride), or null when the backbone was wrapped without stating it.
    /// </summary>
    public int? OutputStride { get; }

    /// <summary>Names of the top-level children of <see cref="Features"/>, in order: what <see cref="FreezeLayers"/> looks at.</summary>
    public IReadOnlyList<string> ChildNames => Features.named_children().Select(child => child.name).ToList();

    /// <summary>
    /// Wraps any module that maps images to a rank-4 feature map. When <paramref name="channels"/> is not given, one
    /// forward pass of a zero image <c>[1, inputChannels, probeSize, probeSize]</c> finds it, without gradients and in
    /// evaluation mode (so BatchNorm statistics are untouched), on the device of the module's first parameter.
    /// </summary>
    /// <param name="name">A name for logs and checkpoints.</param>
    /// <param name="features">The feature extractor; the backbone takes ownership and disposes it.</param>
    /// <param name="channels">Feature-map channels, if known; skips the probe.</param>
    /// <param name="inputChannels">Image channels the module expects.</param>
    /// <param name="probeSize">Height and width of the probe image.</param>
    /// <param name="outputStride">The module's output stride, if you want to state it (<see cref="OutputStride"/>); a
    /// registry factory asked for a stride other than 32 must state the one it built.</param>
    /// <exception cref="ArgumentException">The probe failed or did not return a rank-4 tensor.</exception>
    public static Backbone FromModule(string name, nn.Module<Tensor, Tensor> features, int? channels = null, int inputChannels = 3, int probeSize = DefaultProbeSize, int? outputStride = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(probeSize, 1);
        if (channels is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(given, 1, nameof(channels));
        }

        if (outputStride is { } stride)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(outputStride));
        }

        return new Backbone(name, features, channels ?? Probe(name, features, inputChannels, probeSize), inputChannels, outputStride, source: null);
    }

    internal static Backbone Create(string name, nn.Module<Tensor, Tensor> features, int channels, int inputChannels, int outputStride, nn.Module? source) =>
        new(name, features, channels, inputChannels, outputStride, source);

    /// <summary>Applies the official <c>freeze_layers</c> rule to <see cref="Features"/> (see <see cref="LayerFreezing"/>).</summary>
    /// <param name="freezeLayers">k in [0, 4]: 0 freezes nothing, k freezes the stem and layer1…layerk.</param>
    /// <returns>Trainable and total parameter counts afterwards.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="freezeLayers"/> is outside [0, 4].</exception>
    public ParameterCounts FreezeLayers(int freezeLayers) => LayerFreezing.FreezeLayers(Features, freezeLayers);

    /// <summary>Trainable and total parameter counts of <see cref="Features"/>.</summary>
    public ParameterCounts CountParameters() => ParameterCounts.Of(Features);

    /// <summary>Releases the feature extractor (and, for ResNeSt, the classifier it was cut from).</summary>
    public void Dispose()
    {
        Features.Dispose();
        source?.Dispose();
    }

    private static int Probe(string name, nn.Module<Tensor, Tensor> features, int inputChannels, int probeSize)
    {
        var device = features.parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        // Each module's own flag, parents first: train(bool) recurses, and a caller may keep some layers (say frozen BN) in eval.
        var modes = new[] { features }.Concat(features.named_modules().Select(m => m.module)).Distinct().Select(m => (Module: m, m.training)).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor output;
        try
        {
            features.eval();
            output = features.call(zeros([1, inputChannels, probeSize, probeSize], device: device));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"Backbone '{name}': a probe forward pass of a zero image [1, {inputChannels}, {probeSize}, {probeSize}] failed ({e.Message}). " +
                "Pass inputChannels and probeSize that the module accepts, or pass channels explicitly.", nameof(features), e);
        }
        finally
        {
            foreach (var (module, training) in modes)
            {
                module.train(training);
            }
        }

        if (output.dim() != 4)
        {
            throw new ArgumentException(
                $"Backbone '{name}' must return a feature map [B, C, h, w] (rank 4); for a probe image [1, {inputChannels}, {probeSize}, {probeSize}] it returned {TensorChecks.Describe(output)}. " +
                "Cut the model before its global pooling and classifier.", nameof(features));
        }

        return checked((int)output.shape[1]);
    }
}
