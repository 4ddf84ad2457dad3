namespace Scouter.Core.Data.Datasets;

/// <summary>What <see cref="DatasetRegistry"/> loads: the official flags <c>--dataset</c>, <c>--dataset_dir</c>, <c>--num_classes</c>, <c>--img_size</c>, <c>--aug</c>, plus the split and seed.</summary>
public sealed class DatasetOptions
{
    /// <summary>
    /// Data set name, case-insensitive: <c>MNIST</c> (any IDX set), <c>ImageNet</c>, <c>ConText</c>, <c>CUB200</c>,
    /// <c>ImageFolder</c>, <c>Synthetic</c> (default, needs no files) or <c>SyntheticScenes</c> (needs no files).
    /// </summary>
    public string Name { get; set; } = SyntheticShapesDataset.DatasetName;

    /// <summary>Root folder of the data (<c>--dataset_dir</c>); ignored by the synthetic sets.</summary>
    public string? DatasetDir { get; set; }

    /// <summary>Keep the first this many classes (<c>--num_classes</c>); null keeps all.</summary>
    public int? NumClasses { get; set; }

    /// <summary>Side of the square model input (<c>--img_size</c>, official default 260). For the synthetic sets it is also the rendered size.</summary>
    public int ImageSize { get; set; } = 260;

    /// <summary>Augment the training images (<c>--aug</c>, default false).</summary>
    public bool Augment { get; set; }

    /// <summary>Share of each class that trains, for layouts split here (<c>ConText</c>, a flat <c>ImageFolder</c>); default 0.8.</summary>
    public double TrainFraction { get; set; } = 0.8;

    /// <summary>Seed of the splits made here and of the synthetic images.</summary>
    public int Seed { get; set; }

    /// <summary>Training images of <c>Synthetic</c> and <c>SyntheticScenes</c> (default 5000).</summary>
    public int SyntheticTrainCount { get; set; } = 5000;

    /// <summary>Validation images of <c>Synthetic</c> and <c>SyntheticScenes</c> (default 1000).</summary>
    public int SyntheticValCount { get; set; } = 1000;

    /// <summary>Returns a copy.</summary>
    public DatasetOptions Clone() => (DatasetOptions)MemberwiseClone();
}
