using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// The baselines the SCOUTER paper compares against, created by name (for command lines and configuration files)
/// with each method's default settings.
/// </summary>
public static class BaselineMethods
{
    private static readonly (string Name, Func<nn.Module<Tensor, Tensor>, string?, SaliencyOptions?, SaliencyMethod> Create)[] Methods =
    [
        ("cam", (m, layer, o) => ClassActivationMap.Create(m, targetLayer: layer, options: o)),
        ("gradcam", (m, layer, o) => GradCam.Create(m, layer, o)),
        ("gradcam++", (m, layer, o) => GradCamPlusPlus.Create(m, layer, o)),
        ("smoothgradcam++", (m, layer, o) => SmoothGradCamPlusPlus.Create(m, layer, options: o)),
        ("scorecam", (m, layer, o) => ScoreCam.Create(m, layer, o)),
        ("sscam", (m, layer, o) => SsCam.Create(m, layer, samples: o?.Samples ?? 35, options: o)),
        ("iscam", (m, layer, o) => IsCam.Create(m, layer, steps: o?.Samples ?? 10, options: o)),
        ("rise", (m, _, o) => Rise.Create(m, masks: o?.Samples ?? 1000, options: o)),
        ("extremal", (m, _, o) => ExtremalPerturbation.Create(m, options: o)),
        ("igos", (m, _, o) => IGos.Create(m, integrationSteps: o?.Samples ?? 20, options: o)),
        ("iba", (m, layer, o) => InformationBottleneck.Create(m, layer, options: o)),
    ];

    /// <summary>
    /// The accepted names: <c>cam, gradcam, gradcam++, smoothgradcam++, scorecam, sscam, iscam, rise, extremal, igos,
    /// iba</c>. Matching ignores case, spaces, hyphens and underscores (<c>Grad-CAM++</c> works).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = Methods.Select(m => m.Name).ToArray();

    /// <summary>Creates a baseline method by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="model">The classifier to explain (typically a ScouterModel with an FC head).</param>
    /// <param name="targetLayer">Layer for the layer-based methods; null for the last spatial layer. CAM reads the linear layer named <c>fc</c>.</param>
    /// <param name="options">Shared settings.</param>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static SaliencyMethod Create(string name, nn.Module<Tensor, Tensor> model, string? targetLayer = null, SaliencyOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var key = new string(name.Where(c => c is not (' ' or '-' or '_')).ToArray()).ToLowerInvariant();
        var match = Methods.FirstOrDefault(m => m.Name == key);
        if (match.Create is null)
        {
            throw new ArgumentException($"Unknown baseline method '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }

        return match.Create(model, targetLayer, options);
    }
}
