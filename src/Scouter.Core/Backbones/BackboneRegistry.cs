// A name → factory registry in the manner of timm's create_model (timm/models/_registry.py): one string names a
// backbone in code, configuration files and checkpoints, and users can add their own.
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// Creates backbones by name. Built in: the TorchVision ResNet family (<see cref="TorchVisionBackbones.Names"/>) and
/// timm's <c>resnest26d</c> and <c>resnest50d</c> (<see cref="ResNeSt"/>), each at output stride 32, 16 or 8. Names
/// are case-insensitive. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// BackboneRegistry.Default.Register("tiny_cnn", options =>
///     Backbone.FromModule("tiny_cnn", nn.Sequential(nn.Conv2d(options.InputChannels, 32, 3, stride: 2), nn.ReLU()),
///         inputChannels: options.InputChannels));
/// using var backbone = BackboneRegistry.Default.Create("TINY_CNN", inputChannels: 1);   // Channels == 32
/// using var fine = BackboneRegistry.Default.Create("resnet18", new BackboneOptions { OutputStride = 8 });
/// </code>
/// </example>
public sealed class BackboneRegistry
{
    private readonly object gate = new();
    private readonly Dictionary<string, (string Name, Func<BackboneOptions, Backbone> Factory)> factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry holding the built-in backbones.</summary>
    public BackboneRegistry()
    {
        foreach (var name in TorchVisionBackbones.Names)
        {
            Register(name, options => TorchVisionBackbones.Create(name, options.InputChannels, options.OutputStride));
        }

        Register("resnest26d", options => FromResNeSt("resnest26d", ResNeSt.ResNeSt26d(numClasses: 0, options.InputChannels, outputStride: options.OutputStride)));
        Register("resnest50d", options => FromResNeSt("resnest50d", ResNeSt.ResNeSt50d(numClasses: 0, options.InputChannels, outputStride: options.OutputStride)));
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

    /// <summary>
    /// Adds a backbone factory under <paramref name="name"/>. The factory receives validated options and must build a
    /// backbone for <see cref="BackboneOptions.InputChannels"/>; asked for an <see cref="BackboneOptions.OutputStride"/>
    /// other than 32, it must build that stride and say so (<see cref="Backbone.OutputStride"/>, e.g. through
    /// <c>Backbone.FromModule(…, outputStride: options.OutputStride)</c>), or throw <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="name">The name, unique regardless of case, without white space.</param>
    /// <param name="factory">Builds a new backbone for the requested options.</param>
    /// <param name="replace">Replace an existing registration of the same name instead of failing.</param>
    /// <exception cref="ArgumentException">The name is empty, contains white space, or is taken and <paramref name="replace"/> is false.</exception>
    public void Register(string name, Func<BackboneOptions, Backbone> factory, bool replace = false)
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

    /// <summary>
    /// Adds a factory that takes the input channel count only. It builds its architecture as designed, which counts as
    /// output stride 32; creating it at 16 or 8 throws <see cref="NotSupportedException"/>. A lambda that ignores its
    /// parameter (<c>_ =&gt; …</c>) binds to this overload.
    /// </summary>
    /// <param name="name">The name, unique regardless of case, without white space.</param>
    /// <param name="factory">Builds a new backbone for the requested number of image channels.</param>
    /// <param name="replace">Replace an existing registration of the same name instead of failing.</param>
    /// <exception cref="ArgumentException">The name is empty, contains white space, or is taken and <paramref name="replace"/> is false.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public void Register(string name, Func<int, Backbone> factory, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(name, options => options.OutputStride == BackboneOptions.DefaultOutputStride
            ? factory(options.InputChannels)
            : throw new NotSupportedException(
                $"Backbone '{name}' was registered with a factory of input channels only, which builds the architecture as designed (output stride 32), " +
                $"so it cannot build output stride {options.OutputStride}. Register a Func<BackboneOptions, Backbone> that builds BackboneOptions.OutputStride, or use output stride 32."),
            replace);
    }

    /// <summary>Creates a new backbone by name.</summary>
    /// <param name="name">A registered name (case-insensitive).</param>
    /// <param name="inputChannels">Image channels: 3 for colour; 1 for MNIST, which the built-ins meet with the <see cref="MnistStem"/>.</param>
    /// <param name="device">Moves the feature extractor there (CPU when null).</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="InvalidOperationException">A registered factory returned nothing, or a backbone for other input channels.</exception>
    public Backbone Create(string name, int inputChannels = 3, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        return Create(name, new BackboneOptions { InputChannels = inputChannels }, device);
    }

    /// <summary>Creates a new backbone by name, for the given input channels and output stride.</summary>
    /// <param name="name">A registered name (case-insensitive).</param>
    /// <param name="options">Input channels and output stride (32, 16 or 8).</param>
    /// <param name="device">Moves the feature extractor there (CPU when null).</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="BackboneOptions.Validate"/>).</exception>
    /// <exception cref="NotSupportedException">The backbone was registered with a factory that cannot build the requested output stride.</exception>
    /// <exception cref="InvalidOperationException">A registered factory returned nothing, or a backbone for other input channels or another output stride.</exception>
    public Backbone Create(string name, BackboneOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (string Name, Func<BackboneOptions, Backbone> Factory) entry;
        lock (gate)
        {
            if (!factories.TryGetValue(name, out entry))
            {
                throw new ArgumentException($"Unknown backbone '{name}'. Known backbones: {string.Join(", ", factories.Values.Select(e => e.Name))}.", nameof(name));
            }
        }

        var backbone = entry.Factory(options)
            ?? throw new InvalidOperationException($"The factory registered as '{entry.Name}' returned null.");
        if (backbone.InputChannels != options.InputChannels)
        {
            backbone.Dispose();
            throw new InvalidOperationException($"The factory registered as '{entry.Name}' was asked for {options.InputChannels} input channels and built a backbone for {backbone.InputChannels}.");
        }

        if (options.OutputStride != BackboneOptions.DefaultOutputStride && backbone.OutputStride != options.OutputStride)
        {
            backbone.Dispose();
            var built = backbone.OutputStride is { } stride ? $"one of output stride {stride}" : "one that does not state its output stride (Backbone.OutputStride)";
            throw new InvalidOperationException($"The factory registered as '{entry.Name}' was asked for output stride {options.OutputStride} and built {built}.");
        }

        if (device is not null)
        {
            backbone.Features.to(device);
        }

        return backbone;
    }

    private static Backbone FromResNeSt(string name, ResNeSt model) =>
        Backbone.Create(name, model.FeatureExtractor(), ResNeSt.FeatureChannels, model.InputChannels, model.OutputStride, model);
}
