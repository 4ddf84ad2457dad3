// A name → factory registry in the manner of timm's create_model (timm/models/_registry.py): one string names a
// backbone in code, configuration files and checkpoints, and users can add their own.
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// Creates backbones by name. Built in: the TorchVision ResNet family (<see cref="TorchVisionBackbones.Names"/>) and
/// timm's <c>resnest26d</c> and <c>resnest50d</c> (<see cref="ResNeSt"/>). Names are case-insensitive. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// BackboneRegistry.Default.Register("tiny_cnn", inputChannels =>
///     Backbone.FromModule("tiny_cnn", nn.Sequential(nn.Conv2d(inputChannels, 32, 3, stride: 2), nn.ReLU())));
/// using var backbone = BackboneRegistry.Default.Create("TINY_CNN", inputChannels: 1);   // Channels == 32
/// </code>
/// </example>
public sealed class BackboneRegistry
{
    private readonly object gate = new();
    private readonly Dictionary<string, (string Name, Func<int, Backbone> Factory)> factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry holding the built-in backbones.</summary>
    public BackboneRegistry()
    {
        foreach (var name in TorchVisionBackbones.Names)
        {
            Register(name, inputChannels => TorchVisionBackbones.Create(name, inputChannels));
        }

        Register("resnest26d", inputChannels => FromResNeSt("resnest26d", ResNeSt.ResNeSt26d(numClasses: 0, inputChannels)));
        Register("resnest50d", inputChannels => FromResNeSt("resnest50d", ResNeSt.ResNeSt50d(numClasses: 0, inputChannels)));
    }

    /// <summary>The process-wide registry (the built-ins plus whatever has been registered on it).</summary>
    public static BackboneRegistry Default { get; } = new();

    /// <summary>Registered names, in registration order, as registered.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return factories.Values.Select(entry => entry.Name).ToList();
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is registered (case-insensitive).</summary>
    /// <param name="name">A backbone name.</param>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            return factories.ContainsKey(name);
        }
    }

    /// <summary>Adds a backbone factory under <paramref name="name"/>.</summary>
    /// <param name="name">The name, unique regardless of case, without white space.</param>
    /// <param name="factory">Builds a new backbone for the requested number of image channels.</param>
    /// <param name="replace">Replace an existing registration of the same name instead of failing.</param>
    /// <exception cref="ArgumentException">The name is empty, contains white space, or is taken and <paramref name="replace"/> is false.</exception>
    public void Register(string name, Func<int, Backbone> factory, bool replace = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A backbone name cannot contain white space; got '{name}'.", nameof(name));
        }

        lock (gate)
        {
            if (!replace && factories.TryGetValue(name, out var existing))
            {
                throw new ArgumentException($"A backbone named '{existing.Name}' is already registered; pass replace: true to replace it.", nameof(name));
            }

            factories[name] = (name, factory);
        }
    }

    /// <summary>Creates a new backbone by name.</summary>
    /// <param name="name">A registered name (case-insensitive).</param>
    /// <param name="inputChannels">Image channels: 3 for colour; 1 for MNIST, which the built-ins meet with the <see cref="MnistStem"/>.</param>
    /// <param name="device">Moves the feature extractor there (CPU when null).</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="InvalidOperationException">A registered factory returned nothing, or a backbone for other input channels.</exception>
    public Backbone Create(string name, int inputChannels = 3, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        (string Name, Func<int, Backbone> Factory) entry;
        lock (gate)
        {
            if (!factories.TryGetValue(name, out entry))
            {
                throw new ArgumentException($"Unknown backbone '{name}'. Known backbones: {string.Join(", ", factories.Values.Select(e => e.Name))}.", nameof(name));
            }
        }

        var backbone = entry.Factory(inputChannels)
            ?? throw new InvalidOperationException($"The factory registered as '{entry.Name}' returned null.");
        if (backbone.InputChannels != inputChannels)
        {
            backbone.Dispose();
            throw new InvalidOperationException($"The factory registered as '{entry.Name}' was asked for {inputChannels} input channels and built a backbone for {backbone.InputChannels}.");
        }

        if (device is not null)
        {
            backbone.Features.to(device);
        }

        return backbone;
    }

    private static Backbone FromResNeSt(string name, ResNeSt model) =>
        Backbone.Create(name, model.FeatureExtractor(), ResNeSt.FeatureChannels, model.InputChannels, model);
}
