using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Data.Loading;

/// <summary>Loads a data set by name, as the CLI's <c>--dataset</c> flag names it, with the official transforms for both splits.</summary>
public static class DatasetFactory
{
    /// <summary>Loads both splits through <paramref name="registry"/> and builds their transforms.</summary>
    /// <param name="options">Name, folder, classes, size, augmentation, split and seed.</param>
    /// <param name="registry">Where the name is looked up; <see cref="DatasetRegistry.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The name is unknown, or a data set on disk has no <c>DatasetDir</c>.</exception>
    /// <exception cref="DatasetLayoutException">The data on disk does not have the expected layout (the message names the path and the layout).</exception>
    public static LoadedDatasets Create(DatasetOptions options, DatasetRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pair = (registry ?? DatasetRegistry.Default).Load(options);
        return new LoadedDatasets(pair.Train, pair.Val,
            pair.Train.TrainingTransform(options.ImageSize, options.Augment),
            pair.Val.EvaluationTransform(options.ImageSize));
    }
}
