// A name → method registry, in the manner of BackboneRegistry: one string names an explanation method on the command
// line and in configuration files, and users can add their own.
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Creates saliency methods by name, with each method's default settings. Built in: the baselines the SCOUTER paper
/// compares against, <c>cam, gradcam, gradcam++, smoothgradcam++, scorecam, sscam, iscam, rise, extremal, igos,
/// iba</c>. Matching ignores case, spaces, hyphens and underscores (<c>Grad-CAM++</c> works). Thread-safe.
/// </summary>
/// <example>
/// <code>
/// SaliencyMethodRegistry.Default.Register("mycam", (model, layer, options) => MyCam.Create(model, layer, options));
/// using var method = SaliencyMethodRegistry.Default.Create("My-CAM", fcModel);
/// </code>
/// </example>
public sealed class SaliencyMethodRegistry
{
    private readonly object gate = new();
    private readonly Dictionary<string, (string Name, SaliencyMethodFactory Create)> methods = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding the built-in methods.</summary>
    public SaliencyMethodRegistry()
    {
        Register("cam", (m, layer, o) => ClassActivationMap.Create(m, targetLayer: layer, options: o));
        Register("gradcam", (m, layer, o) => GradCam.Create(m, layer, o));
        Register("gradcam++", (m, layer, o) => GradCamPlusPlus.Create(m, layer, o));
        Register("smoothgradcam++", (m, layer, o) => SmoothGradCamPlusPlus.Create(m, layer, options: o));
        Register("scorecam", (m, layer, o) => ScoreCam.Create(m, layer, o));
        Register("sscam", (m, layer, o) => SsCam.Create(m, layer, samples: o?.Samples ?? 35, options: o));
        Register("iscam", (m, layer, o) => IsCam.Create(m, layer, steps: o?.Samples ?? 10, options: o));
        Register("rise", (m, _, o) => Rise.Create(m, masks: o?.Samples ?? 1000, options: o));
        Register("extremal", (m, _, o) => ExtremalPerturbation.Create(m, options: o));
        Register("igos", (m, _, o) => IGos.Create(m, integrationSteps: o?.Samples ?? 20, options: o));
        Register("iba", (m, layer, o) => InformationBottleneck.Create(m, layer, options: o));
    }

    /// <summary>The process-wide registry (the built-ins plus whatever has been registered on it).</summary>
    public static SaliencyMethodRegistry Default { get; } = new();

    /// <summary>Registered names, in registration order, as registered.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return methods.Values.Select(entry => entry.Name).ToList();
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is registered (ignoring case, spaces, hyphens and underscores).</summary>
    /// <param name="name">A method name.</param>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            return methods.ContainsKey(Key(name));
        }
    }

    /// <summary>Adds a method under <paramref name="name"/>.</summary>
    /// <param name="name">The name; unique once case, spaces, hyphens and underscores are ignored.</param>
    /// <param name="factory">Builds a new method for a model, a target layer (or null) and options (or null).</param>
    /// <param name="replace">Replace an existing registration of the same name instead of failing.</param>
    /// <exception cref="ArgumentException">The name is empty, or taken and <paramref name="replace"/> is false.</exception>
    public void Register(string name, SaliencyMethodFactory factory, bool replace = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        var key = Key(name);
        if (key.Length == 0)
        {
            throw new ArgumentException($"A method name needs a letter or digit; got '{name}'.", nameof(name));
        }

        lock (gate)
        {
            if (!replace && methods.TryGetValue(key, out var existing))
            {
                throw new ArgumentException($"A method named '{existing.Name}' is already registered; pass replace: true to replace it.", nameof(name));
            }

            methods[key] = (name, factory);
        }
    }

    /// <summary>Creates a method by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="model">The classifier to explain (typically a ScouterModel with an FC head).</param>
    /// <param name="targetLayer">Layer for the layer-based methods; null for the last spatial layer. CAM reads the linear layer named <c>fc</c>.</param>
    /// <param name="options">Shared settings.</param>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    /// <exception cref="InvalidOperationException">A registered factory returned nothing.</exception>
    public SaliencyMethod Create(string name, nn.Module<Tensor, Tensor> model, string? targetLayer = null, SaliencyOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        (string Name, SaliencyMethodFactory Create) entry;
        lock (gate)
        {
            if (!methods.TryGetValue(Key(name), out entry))
            {
                throw new ArgumentException($"Unknown baseline method '{name}'. Known: {string.Join(", ", methods.Values.Select(e => e.Name))}.", nameof(name));
            }
        }

        return entry.Create(model, targetLayer, options) ?? throw new InvalidOperationException($"The factory registered as '{entry.Name}' returned null.");
    }

    private static string Key(string name) => new string(name.Where(c => c is not (' ' or '-' or '_')).ToArray()).ToLowerInvariant();
}
