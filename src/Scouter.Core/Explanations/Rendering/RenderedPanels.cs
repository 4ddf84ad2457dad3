using Scouter.Core.IO;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>Panels of a batch (<see cref="PanelRenderer"/>), as tensors; PNG bytes and files on request. Disposing it disposes the tensors.</summary>
public sealed class RenderedPanels : IDisposable
{
    internal RenderedPanels(Tensor panels, Tensor classes, Tensor probabilities, PanelLayout layout, bool hasText)
    {
        Panels = panels;
        Classes = classes;
        Probabilities = probabilities;
        Layout = layout;
        HasText = hasText;
    }

    /// <summary>One panel per image, uint8 RGB <c>[B, 3, Layout.Height, Layout.Width]</c>.</summary>
    public Tensor Panels { get; }

    /// <summary>The class of each shown map, column by column, <c>[B, k]</c>, int64.</summary>
    public Tensor Classes { get; }

    /// <summary>The model's probability of each shown class, <c>[B, k]</c>, float32.</summary>
    public Tensor Probabilities { get; }

    /// <summary>Where the tiles, captions and colour bar are.</summary>
    public PanelLayout Layout { get; }

    /// <summary>Whether names and probabilities are drawn on the panels (false where no font is installed).</summary>
    public bool HasText { get; }

    /// <summary>Panels in the batch.</summary>
    public int Count => (int)Panels.shape[0];

    /// <summary>PNG bytes of one panel.</summary>
    /// <param name="image">Image index.</param>
    public byte[] Png(int image)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(image);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(image, Count);
        using var panel = Panels[image];
        return Rendering.Png.Encode(panel);
    }

    /// <summary>Writes every panel as <c>{prefix}{b}.png</c> into <paramref name="directory"/> (created if needed), atomically.</summary>
    /// <param name="directory">Target folder.</param>
    /// <param name="prefix">File name prefix (default <c>panel_</c>).</param>
    /// <returns>The paths written.</returns>
    public IReadOnlyList<string> Save(string directory, string prefix = "panel_")
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(prefix);
        var written = new List<string>();
        for (var b = 0; b < Count; b++)
        {
            var path = Path.Combine(directory, $"{prefix}{b}.png");
            AtomicFile.Write(path, Png(b));
            written.Add(path);
        }

        return written;
    }

    internal RenderedPanels MoveToOuterDisposeScope()
    {
        Panels.MoveToOuterDisposeScope();
        Classes.MoveToOuterDisposeScope();
        Probabilities.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Panels.Dispose();
        Classes.Dispose();
        Probabilities.Dispose();
    }
}
