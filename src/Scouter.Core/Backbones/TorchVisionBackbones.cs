using Scouter.Core.Interop;
using TorchSharp;
using static TorchSharp.torch;
using ResNet = TorchSharp.Modules.ResNet;

namespace Scouter.Core.Backbones;

/// <summary>
/// Feature extractors of TorchVision's ResNet family (<c>resnet18</c> … <c>wide_resnet101_2</c>): every layer before
/// average pooling, <c>conv1, bn1, relu, maxpool, layer1 … layer4</c>, with PyTorch's state-dict names
/// (<c>conv1.weight</c>, <c>bn1.*</c>, <c>layer1.0.conv1.weight</c>, …), built here as TorchVision builds them, at
/// output stride 32, 16 or 8.
/// </summary>
public static class TorchVisionBackbones
{
    /// <summary>The architectures <see cref="Create"/> knows, in TorchVision's spelling.</summary>
    public static IReadOnlyList<string> Names { get; } = ResNetArchitecture.All.Select(a => a.Name).ToArray();

    /// <summary>
    /// Builds a TorchVision architecture up to <c>avgpool</c>, randomly initialised as TorchVision initialises it: under
    /// the same seed, the weights TorchVision's model of the same architecture starts with (e.g.
    /// <c>torchvision.models.resnet50()</c>).
    /// </summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="inputChannels">3 keeps TorchVision's 7×7 stem; any other count swaps in the <see cref="MnistStem"/>.</param>
    /// <param name="outputStride">
    /// 32 (TorchVision's architecture), 16 or 8: the last stages dilate instead of downsampling, as TorchVision's
    /// <c>replace_stride_with_dilation</c> does (see <see cref="BackboneOptions.OutputStride"/>). Names and shapes of
    /// the parameters are the same at every stride.
    /// </param>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputChannels"/> is below 1, or <paramref name="outputStride"/> is not 32, 16 or 8.</exception>
    public static Backbone Create(string name, int inputChannels = 3, int outputStride = BackboneOptions.DefaultOutputStride)
    {
        var architecture = Find(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        BackboneOptions.ThrowIfUnsupported(outputStride, nameof(outputStride));
        return Backbone.Create(architecture.Name, architecture.CreateFeatures(inputChannels, outputStride), architecture.Channels, inputChannels, outputStride, source: null);
    }

    /// <summary>
    /// A backbone with the weights of a TorchVision ResNet you built (for example with <c>weights_file</c>): the same
    /// architecture is built here and every parameter and buffer before <c>fc</c> (batch-norm statistics included) is
    /// <em>copied</em> from <paramref name="model"/>. The two share nothing afterwards; <paramref name="model"/> stays
    /// yours to dispose, and training the backbone leaves it unchanged.
    /// </summary>
    /// <param name="name">A name for logs and checkpoints.</param>
    /// <param name="model">Any TorchSharp TorchVision ResNet, ResNeXt or Wide ResNet; its block type, blocks per
    /// stage, groups and group width are read from its parameters. Its own stride settings are not: pass
    /// <paramref name="outputStride"/>.</param>
    /// <param name="inputChannels">3 copies <c>conv1</c> too; any other count gives the backbone the
    /// <see cref="MnistStem"/>, freshly initialised, and copies everything else.</param>
    /// <param name="outputStride">32, 16 or 8, as in <see cref="Create"/>.</param>
    /// <exception cref="ArgumentException">The model's parameters are not those of a TorchVision ResNet.</exception>
    /// <exception cref="StateDictMismatchException">Its parameters do not fit the architecture read from them.</exception>
    public static Backbone FromResNet(string name, ResNet model, int inputChannels = 3, int outputStride = BackboneOptions.DefaultOutputStride)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        BackboneOptions.ThrowIfUnsupported(outputStride, nameof(outputStride));

        var architecture = ResNetArchitecture.Of(name, model);
        var features = architecture.CreateFeatures(inputChannels, outputStride);
        try
        {
            // The classifier is not part of the backbone; a swapped-in MNIST stem has no counterpart in the model.
            var copied = model.state_dict()
                .Where(entry => !entry.Key.StartsWith("fc.", StringComparison.Ordinal) && (inputChannels == 3 || !entry.Key.StartsWith("conv1.", StringComparison.Ordinal)))
                .ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
            var report = StateDictLoader.Load(features, copied, new StateDictLoadOptions { Strict = inputChannels == 3 });
            if (report.Unexpected.Count > 0 || report.Mismatched.Count > 0 || report.Missing.Any(key => !key.StartsWith("conv1.", StringComparison.Ordinal)))
            {
                throw new StateDictMismatchException(report);
            }

            return Backbone.Create(name, features, architecture.Channels, inputChannels, outputStride, source: null);
        }
        catch
        {
            features.Dispose();
            throw;
        }
    }

    private static ResNetArchitecture Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ResNetArchitecture.All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown TorchVision backbone '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }
}
