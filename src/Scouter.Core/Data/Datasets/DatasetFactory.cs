using Scouter.Core.Data.Transforms;

namespace Scouter.Core.Data.Datasets;

/// <summary>Creates a data set by name, as the CLI's <c>--dataset</c> flag names it.</summary>
public static class DatasetFactory
{
    /// <summary>The accepted names (case-insensitive).</summary>
    public static IReadOnlyList<string> Names { get; } = ["MNIST", ImageNet.Name, ConText.Name, Cub200.Name, ImageFolder.Name, SyntheticShapesDataset.DatasetName, SyntheticScenesDataset.DatasetName];

    /// <summary>Image channels of the data set named <paramref name="name"/>: 1 for MNIST (any IDX set, the official one-channel stem), 3 for every other.</summary>
    /// <param name="name">A data set name (case-insensitive), or null.</param>
    public static int ImageChannels(string? name) =>
        string.Equals(name?.Trim(), "MNIST", StringComparison.OrdinalIgnoreCase) ? 1 : 3;

    /// <summary>Loads both splits and builds their transforms.</summary>
    /// <param name="options">Name, folder, classes, size, augmentation, split and seed.</param>
    /// <exception cref="ArgumentException">The name is unknown, or a data set on disk has no <c>DatasetDir</c>.</exception>
    /// <exception cref="DatasetLayoutException">The data on disk does not have the expected layout (the message names the path and the layout).</exception>
    public static LoadedDatasets Create(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name?.Trim() ?? string.Empty;
        var canonical = Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown data set '{options.Name}'; expected one of {string.Join(", ", Names)} (case-insensitive).", nameof(options));

        var pair = canonical switch
        {
            "MNIST" => IdxDataset.Load(RequireDir(options, canonical), options.NumClasses),
            ImageNet.Name => ImageNet.Load(RequireDir(options, canonical), options.NumClasses),
            ConText.Name => ConText.Load(RequireDir(options, canonical), options.NumClasses, options.Seed, options.TrainFraction),
            Cub200.Name => Cub200.Load(RequireDir(options, canonical), options.NumClasses),
            ImageFolder.Name => ImageFolder.Load(RequireDir(options, canonical), options.NumClasses, options.Seed, options.TrainFraction),
            SyntheticScenesDataset.DatasetName => SyntheticScenesDataset.Create(Synthetic(options)),
            _ => SyntheticShapesDataset.Create(Synthetic(options)),
        };

        return new LoadedDatasets(pair.Train, pair.Val,
            ImageTransform.ForTraining(pair.Train, options.ImageSize, options.Augment),
            ImageTransform.ForEvaluation(pair.Val, options.ImageSize));
    }

    private static SyntheticShapesOptions Synthetic(DatasetOptions options) => new()
    {
        ImageSize = options.ImageSize,
        NumClasses = options.NumClasses ?? SyntheticShapesDataset.MaxClasses,
        TrainCount = options.SyntheticTrainCount,
        ValCount = options.SyntheticValCount,
        Seed = options.Seed,
    };

    private static string RequireDir(DatasetOptions options, string name) =>
        string.IsNullOrWhiteSpace(options.DatasetDir)
            ? throw new ArgumentException($"Data set {name} is read from disk: set DatasetDir (--dataset_dir) to its folder.", nameof(options))
            : options.DatasetDir;
}
