using Scouter.Core.Internal;
using Scouter.Core.IO;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Rendered explanations of a batch, as tensors; PNG bytes and files on request. Disposing it disposes the tensors.
/// </summary>
public sealed class RenderedExplanations : IDisposable
{
    internal RenderedExplanations(Tensor images, Tensor classes, Tensor? probabilities, Tensor masks, Tensor overlays, ScouterPolarity polarity)
    {
        Images = images;
        Classes = classes;
        Probabilities = probabilities;
        Masks = masks;
        Overlays = overlays;
        Polarity = polarity;
    }

    /// <summary>The images, uint8 RGB <c>[B, 3, H, W]</c>.</summary>
    public Tensor Images { get; }

    /// <summary>The class each map shows, <c>[B, k]</c>, int64.</summary>
    public Tensor Classes { get; }

    /// <summary>The model's probability of each shown class, <c>[B, k]</c>, when scores were given.</summary>
    public Tensor? Probabilities { get; }

    /// <summary>Greyscale masks at the image size, uint8 <c>[B, k, 1, H, W]</c>.</summary>
    public Tensor Masks { get; }

    /// <summary>Heatmaps over the images, uint8 RGB <c>[B, k, 3, H, W]</c>.</summary>
    public Tensor Overlays { get; }

    /// <summary>Whether the maps say "why" (positive) or "why not" (negative).</summary>
    public ScouterPolarity Polarity { get; }

    /// <summary>Images in the batch.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Maps per image.</summary>
    public int MapsPerImage => (int)Classes.shape[1];

    /// <summary>
    /// One grid image: a row per image, the image itself in the first column and its overlays in the next ones.
    /// </summary>
    /// <param name="padding">Border width in pixels.</param>
    /// <returns>uint8 RGB image <c>[3, height, width]</c>.</returns>
    public Tensor Grid(int padding = 2)
    {
        using var scope = NewDisposeScope();
        var tiles = cat([Images.unsqueeze(1), Overlays], 1);
        return ImageGrid.Compose(tiles, padding).MoveToOuterDisposeScope();
    }

    /// <summary>PNG bytes of one overlay.</summary>
    /// <param name="image">Image index.</param>
    /// <param name="map">Map index within the image (0 = first shown class).</param>
    public byte[] OverlayPng(int image, int map)
    {
        using var tile = Overlays[image, map];
        return Png.Encode(tile);
    }

    /// <summary>PNG bytes of one greyscale mask.</summary>
    /// <param name="image">Image index.</param>
    /// <param name="map">Map index within the image.</param>
    public byte[] MaskPng(int image, int map)
    {
        using var tile = Masks[image, map];
        return Png.Encode(tile);
    }

    /// <summary>PNG bytes of one image.</summary>
    /// <param name="image">Image index.</param>
    public byte[] ImagePng(int image)
    {
        using var tile = Images[image];
        return Png.Encode(tile);
    }

    /// <summary>PNG bytes of <see cref="Grid"/>.</summary>
    /// <param name="padding">Border width in pixels.</param>
    public byte[] GridPng(int padding = 2)
    {
        using var grid = Grid(padding);
        return Png.Encode(grid);
    }

    /// <summary>
    /// Writes every picture as a PNG file into <paramref name="directory"/> (created if needed), atomically:
    /// <c>{prefix}{b}.png</c> (the image), <c>{prefix}{b}_{why|whynot}_class{c}.png</c> (overlay),
    /// <c>{prefix}{b}_{why|whynot}_class{c}_mask.png</c> (greyscale mask) and <c>{prefix}grid.png</c>.
    /// </summary>
    /// <param name="directory">Target folder.</param>
    /// <param name="prefix">File name prefix, e.g. a batch number.</param>
    /// <returns>The paths written.</returns>
    public IReadOnlyList<string> Save(string directory, string prefix = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(prefix);
        var question = Polarity == ScouterPolarity.Negative ? "whynot" : "why";
        var classes = Classes.cpu().data<long>().ToArray();
        var written = new List<string>();
        void Write(string name, byte[] bytes)
        {
            var path = Path.Combine(directory, prefix + name);
            AtomicFile.Write(path, bytes);
            written.Add(path);
        }

        for (var b = 0; b < Count; b++)
        {
            Write($"{b}.png", ImagePng(b));
            for (var j = 0; j < MapsPerImage; j++)
            {
                var c = classes[b * MapsPerImage + j];
                Write($"{b}_{question}_class{c}.png", OverlayPng(b, j));
                Write($"{b}_{question}_class{c}_mask.png", MaskPng(b, j));
            }
        }

        Write("grid.png", GridPng());
        return written;
    }

    internal RenderedExplanations MoveToOuterDisposeScope()
    {
        Images.MoveToOuterDisposeScope();
        Classes.MoveToOuterDisposeScope();
        Probabilities?.MoveToOuterDisposeScope();
        Masks.MoveToOuterDisposeScope();
        Overlays.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Classes.Dispose();
        Probabilities?.Dispose();
        Masks.Dispose();
        Overlays.Dispose();
    }
}
