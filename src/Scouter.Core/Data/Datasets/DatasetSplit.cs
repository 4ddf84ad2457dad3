namespace Scouter.Core.Data.Datasets;

/// <summary>Which part of a data set: the images trained on, or the held-out images evaluated on.</summary>
public enum DatasetSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The validation (test) images.</summary>
    Val,
}
