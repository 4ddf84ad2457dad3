// A name → layout registry, in the manner of BackboneRegistry: one string names a data set on the command line, in
// configuration files and in checkpoints (the official --dataset flag), and users can add their own layouts.
namespace Scouter.Core.Data.Datasets;

/// <summary>
/// Loads data sets by name. Built in: <c>MNIST</c> (any IDX set), <c>ImageNet</c>, <c>ConText</c>, <c>CUB200</c>,
/// <c>ImageFolder</c>, <c>Synthetic</c> and <c>SyntheticScenes</c>. Names are case-insensitive and surrounding white
/// space is ignored. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// DatasetRegistry.Default.Register("Flowers", options => MyFlowers.Load(DatasetRegistry.RequireDir(options, "Flowers")));
/// var pair = DatasetRegistry.Default.Load(new DatasetOptions { Name = "flowers", DatasetDir = "data/flowers" });
/// </code>
/// </example>
public sealed class DatasetRegistry
{
    private const string Mnist = "MNIST";

    private readonly object gate = new();
    private readonly Dictionary<string, (string Name, Func<DatasetOptions, DatasetPair> Load, int ImageChannels)> layouts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry holding the built-in data sets.</summary>
    public DatasetRegistry()
    {
        Register(Mnist, options => IdxDataset.Load(RequireDir(options, Mnist), options.NumClasses), imageChannels: 1);
        Register(ImageNet.Name, options => ImageNet.Load(RequireDir(options, ImageNet.Name), options.NumClasses));
        Register(ConText.Name, options => ConText.Load(RequireDir(options, ConText.Name), options.NumClasses, options.Seed, options.TrainFraction));
        Register(Cub200.Name, options => Cub200.Load(RequireDir(options, Cub200.Name), options.NumClasses));
        Register(ImageFolder.Name, options => ImageFolder.Load(RequireDir(options, ImageFolder.Name), options.NumClasses, options.Seed, options.TrainFraction));
        Register(SyntheticShapesDataset.DatasetName, options => SyntheticShapesDataset.Create(Synthetic(options)));
        Register(SyntheticScenesDataset.DatasetName, options => SyntheticScenesDataset.Create(Synthetic(options)));
    }

    /// <summary>The process-wide registry (the built-ins plus whatever has been registered on it).</summary>
    public static DatasetRegistry Default { get; } = new();

    /// <summary>Registered names, in registration order, as registered.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return layouts.Values.Select(entry => entry.Name).ToList();
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is registered (case-insensitive, surrounding white space ignored).</summary>
    /// <param name="name">A data set name.</param>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            return layouts.ContainsKey(name.Trim());
        }
    }

    /// <summary>Adds a data set layout under <paramref name="name"/>.</summary>
    /// <param name="name">The name, unique regardless of case, without white space.</param>
    /// <param name="load">Loads both splits for the requested options; a layout on disk throws <see cref="DatasetLayoutException"/> naming the path and what it expected.</param>
    /// <param name="imageChannels">Channels of the set's images: 3 for colour, 1 for greyscale (the built-in backbones then take the one-channel stem).</param>
    /// <param name="replace">Replace an existing registration of the same name instead of failing.</param>
    /// <exception cref="ArgumentException">The name is empty, contains white space, or is taken and <paramref name="replace"/> is false.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="imageChannels"/> is below 1.</exception>
    public void Register(string name, Func<DatasetOptions, DatasetPair> load, int imageChannels = 3, bool replace = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageChannels, 1);
        if (name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A data set name cannot contain white space; got '{name}'.", nameof(name));
        }

        lock (gate)
        {
            if (!replace && layouts.TryGetValue(name, out var existing))
            {
                throw new ArgumentException($"A data set named '{existing.Name}' is already registered; pass replace: true to replace it.", nameof(name));
            }

            layouts[name] = (name, load, imageChannels);
        }
    }

    /// <summary>Image channels of the data set named <paramref name="name"/>: as registered (1 for MNIST), 3 for a name that is not registered or null.</summary>
    /// <param name="name">A data set name (case-insensitive), or null.</param>
    public int ImageChannels(string? name)
    {
        lock (gate)
        {
            return name is not null && layouts.TryGetValue(name.Trim(), out var entry) ? entry.ImageChannels : 3;
        }
    }

    /// <summary>Loads both splits of the data set <see cref="DatasetOptions.Name"/> names.</summary>
    /// <param name="options">Name, folder, classes, size, split and seed.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones), or a data set on disk has no <c>DatasetDir</c>.</exception>
    /// <exception cref="DatasetLayoutException">The data on disk does not have the expected layout (the message names the path and the layout).</exception>
    /// <exception cref="InvalidOperationException">A registered loader returned nothing.</exception>
    public DatasetPair Load(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string Name, Func<DatasetOptions, DatasetPair> Load, int ImageChannels) entry;
        lock (gate)
        {
            if (!layouts.TryGetValue(options.Name?.Trim() ?? string.Empty, out entry))
            {
                throw new ArgumentException($"Unknown data set '{options.Name}'; expected one of {string.Join(", ", layouts.Values.Select(e => e.Name))} (case-insensitive).", nameof(options));
            }
        }

        return entry.Load(options) ?? throw new InvalidOperationException($"The loader registered as '{entry.Name}' returned null.");
    }

    /// <summary>The data set's folder, <see cref="DatasetOptions.DatasetDir"/>, for a layout read from disk.</summary>
    /// <param name="options">The options.</param>
    /// <param name="name">The data set's name, for the message.</param>
    /// <exception cref="ArgumentException"><see cref="DatasetOptions.DatasetDir"/> is not set.</exception>
    public static string RequireDir(DatasetOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DatasetDir)
            ? throw new ArgumentException($"Data set {name} is read from disk: set DatasetDir (--dataset_dir) to its folder.", nameof(options))
            : options.DatasetDir;
    }

    private static SyntheticShapesOptions Synthetic(DatasetOptions options) => new()
    {
        ImageSize = options.ImageSize,
        NumClasses = options.NumClasses ?? SyntheticShapesDataset.MaxClasses,
        TrainCount = options.SyntheticTrainCount,
        ValCount = options.SyntheticValCount,
        Seed = options.Seed,
    };
}
