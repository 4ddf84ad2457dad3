using Scouter.Core.Internal;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>Input checks shared by the metrics.</summary>
internal static class MetricChecks
{
    public static void Images(Tensor images, string what)
    {
        TensorChecks.Rank(images, 4, what, "images [B, C, H, W]", nameof(images));
        TensorChecks.FloatingPoint(images, what, nameof(images));
        TensorChecks.NonEmptySpatial(images, what, nameof(images));
    }

    /// <summary>Maps <c>[B, H, W]</c>, floating point, matching the images' batch and size when given.</summary>
    public static void Maps(Tensor maps, string what, Tensor? images = null)
    {
        TensorChecks.Rank(maps, 3, what, "maps [B, H, W]", nameof(maps));
        TensorChecks.FloatingPoint(maps, what, nameof(maps));
        if (maps.numel() == 0)
        {
            throw new ArgumentException($"{what} expects non-empty maps; got {TensorChecks.Describe(maps)}.", nameof(maps));
        }

        if (images is not null && (maps.shape[0] != images.shape[0] || maps.shape[1] != images.shape[2] || maps.shape[2] != images.shape[3]))
        {
            throw new ArgumentException(
                $"{what} expects one map per image at the image size [B = {images.shape[0]}, H = {images.shape[2]}, W = {images.shape[3]}]; got {TensorChecks.Describe(maps)}. " +
                "Upsample maps with ExplanationMaps.Upsample first.", nameof(maps));
        }
    }

    /// <summary>Ground-truth regions <c>[B, H, W]</c> (bool or 0/1 numbers) matching the maps.</summary>
    public static Tensor Regions(Tensor regions, Tensor maps, string what)
    {
        TensorChecks.Rank(regions, 3, what, "ground-truth regions [B, H, W]", nameof(regions));
        if (!regions.shape.SequenceEqual(maps.shape))
        {
            throw new ArgumentException($"{what} expects regions shaped like the maps {TensorChecks.Describe(maps)}; got {TensorChecks.Describe(regions)}.", nameof(regions));
        }

        return regions.dtype == ScalarType.Bool ? regions.alias() : regions.ne(0);
    }

    public static void Target(ExplanationTarget target, long batch, string what)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Count != batch)
        {
            throw new ArgumentException($"{what}: the target describes {target.Count} images, the batch has {batch}.", nameof(target));
        }
    }
}
