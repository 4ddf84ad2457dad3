using System.Globalization;
using Scouter.Cli.Arguments;

namespace Scouter.Cli.Commands;

/// <summary>
/// Weighs the sizes a run was given (image size, batch size, slot count, map size) against this machine's memory
/// before any tensor is allocated. Each estimate is a lower bound, so no run that fits is refused; a run refused here
/// could not have finished, and would have ended in an allocation LibTorch cannot make (at worst a native abort that
/// no handler catches). Messages name the flags and the limit.
/// </summary>
internal static class MemoryBudget
{
    // Activations a ResNet-18, the smallest backbone, keeps for the backward pass, per input pixel of every image:
    // about 780 bytes measured (bench, 128 vs 256 px); 700 keeps the estimate below any backbone's.
    private const long TrainingBytesPerPixel = 700;

    // An eval forward holds a stage's input and output at once: the stem's 64 channels at half resolution are 32
    // float32 bytes per input pixel each; 100 is below any backbone's peak.
    private const long InferenceBytesPerPixel = 100;

    // The slot attention per slot and image: attention over the feature positions and the slot state, kept over its
    // iterations (and for the backward pass), 4-byte floats, about ten copies.
    private const long SlotBytesPerValue = 40;

    // A written map: the uint8 map, its float32 resize and the float32 weights in between.
    private const long MapBytesPerPixel = 9;

    /// <summary>The machine's memory (or the container's limit).</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>One training step of <paramref name="run"/>.</summary>
    /// <param name="run">The run's settings.</param>
    /// <exception cref="UsageException">The sizes need more memory than the machine has.</exception>
    public static void CheckTraining(RunSettings run) =>
        CheckTraining(Sizes.Of(run), run.Training.BatchSize);

    /// <summary>One training step of <paramref name="batch"/> images of a model of <paramref name="sizes"/>.</summary>
    /// <param name="sizes">Image size and head.</param>
    /// <param name="batch">Images per step.</param>
    /// <exception cref="UsageException">The sizes need more memory than the machine has.</exception>
    public static void CheckTraining(Sizes sizes, int batch) =>
        Check(sizes, batch, TrainingBytesPerPixel, "one training step", "--batch_size");

    /// <summary>One forward pass of <paramref name="batch"/> images of <paramref name="run"/>.</summary>
    /// <param name="run">The run's settings.</param>
    /// <param name="batch">Images per forward pass.</param>
    /// <exception cref="UsageException">The sizes need more memory than the machine has.</exception>
    public static void CheckInference(RunSettings run, int batch) =>
        Check(Sizes.Of(run), batch, InferenceBytesPerPixel, batch == 1 ? "explaining one image" : "one forward pass", batch == 1 ? null : "--batch_size");

    /// <summary>The maps of one batch of bulk explanation: <paramref name="topK"/> maps of <paramref name="mapSize"/>² pixels per image.</summary>
    /// <param name="batch">Images per batch.</param>
    /// <param name="topK">Maps per image.</param>
    /// <param name="mapSize">Side of every map.</param>
    /// <exception cref="UsageException">The maps need more memory than the machine has.</exception>
    public static void CheckMaps(int batch, int topK, int mapSize)
    {
        var bytes = (double)batch * topK * mapSize * mapSize * MapBytesPerPixel;
        Refuse(bytes, $"--batch_size {batch} × --top_k {topK} maps of --map_size {mapSize} × {mapSize} pixels", "the maps of one batch", "lower --map_size, --top_k or --batch_size");
    }

    /// <summary>The sizes the estimates read: the input's side and the xSlot head's slots (when it has one).</summary>
    /// <param name="ImageSize">Input side, pixels.</param>
    /// <param name="UseSlot">An xSlot head (its attention counts), or the FC baseline.</param>
    /// <param name="NumClasses">Classes.</param>
    /// <param name="SlotsPerClass">Slots per class.</param>
    /// <param name="HiddenDim">Slot dimension.</param>
    /// <param name="OutputStride">The backbone's output stride: the feature map has (ImageSize / OutputStride)² positions.</param>
    public sealed record Sizes(int ImageSize, bool UseSlot, int NumClasses, int SlotsPerClass, int HiddenDim, int OutputStride = 32)
    {
        /// <summary>The sizes of a run.</summary>
        /// <param name="run">The run's settings.</param>
        public static Sizes Of(RunSettings run) =>
            new(run.Data.ImageSize, run.Head.UseSlot, run.Head.NumClasses, run.Head.SlotsPerClass, run.Head.HiddenDim, run.OutputStride);
    }

    private static void Check(Sizes sizes, int batch, long bytesPerPixel, string what, string? batchFlag)
    {
        var size = sizes.ImageSize;
        var pixels = (double)size * size;
        var images = $"{(batchFlag is null ? "one image" : $"{batchFlag} {batch}")} at --img_size {size}";
        Refuse(batch * pixels * bytesPerPixel, images, what, $"lower {(batchFlag is null ? string.Empty : batchFlag + " or ")}--img_size");

        if (sizes.UseSlot)
        {
            // The backbone's feature map, as the xSlot head sees it.
            var positions = Math.Pow(Math.Ceiling(size / (double)sizes.OutputStride), 2);
            var slots = (double)sizes.NumClasses * sizes.SlotsPerClass;
            var bytes = batch * slots * (positions + sizes.HiddenDim) * SlotBytesPerValue;
            var described = string.Create(CultureInfo.InvariantCulture, $"{images} with --num_classes {sizes.NumClasses} × --slots_per_class {sizes.SlotsPerClass} = {slots:N0} slots");
            Refuse(bytes, described, $"the slot attention of {what}", "lower --slots_per_class, --num_classes or the batch");
        }
    }

    private static void Refuse(double bytes, string sizes, string what, string advice)
    {
        var available = Available;
        if (bytes > available)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{sizes} needs at least {Gigabytes(bytes)} for {what}, more than the {Gigabytes(available)} of memory here; {advice}."));
        }
    }

    private static string Gigabytes(double bytes) =>
        bytes >= 1e12 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e12:F1} TB") : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:F1} GB");
}
