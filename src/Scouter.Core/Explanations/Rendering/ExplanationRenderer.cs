using Scouter.Core.Compat;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// Turns a batch of images and their class maps into tensors ready to look at: coloured overlays, greyscale masks and
/// grids, optionally encoded as PNG or written to a folder. Normalised maps are cast to 8 bits at their own resolution
/// and resized to the image with Pillow's bilinear filter (<see cref="PilBilinear"/>), so with the default
/// <see cref="RenderOptions"/> an overlay of a SCOUTER map is byte for byte the official visualisation's.
/// </summary>
/// <example>
/// <code>
/// using var output = model.ForwardDetailed(inputs);
/// using var pictures = ImageTensors.ToUInt8(inputs, ImageTensors.ImageNetMean, ImageTensors.ImageNetStd);
/// using var rendered = new ExplanationRenderer(new RenderOptions { TopK = 3 }).Render(pictures, output);
/// rendered.Save("explanations/");             // or rendered.Overlays, rendered.OverlayPng(0, 0)
/// </code>
/// </example>
public sealed class ExplanationRenderer
{
    /// <summary>Creates a renderer.</summary>
    /// <param name="options">Drawing options; null for the official defaults.</param>
    public ExplanationRenderer(RenderOptions? options = null)
    {
        Options = options ?? new RenderOptions();
        if (!(Options.GradMinLevel >= 0 && Options.GradMinLevel <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.GradMinLevel, "RenderOptions.GradMinLevel must lie in [0, 1].");
        }

        if (Options.TopK is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.TopK, "RenderOptions.TopK must be at least 1 (or null for every class).");
        }
    }

    /// <summary>The drawing options.</summary>
    public RenderOptions Options { get; }

    /// <summary>Renders a SCOUTER head's output for its input images.</summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c> (see <see cref="ImageTensors.ToUInt8"/>).</param>
    /// <param name="output">The head's output; its <see cref="HeadOutput.ClassMaps"/> and scores are drawn.</param>
    public RenderedExplanations Render(Tensor images, HeadOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var maps = output.ClassMaps ?? throw new ArgumentException("This head has no class maps (an FC head); explain it with a saliency method and render those maps.", nameof(output));
        return Render(images, maps, output.Scores);
    }

    /// <summary>Renders class maps for their images.</summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c>.</param>
    /// <param name="classMaps">Maps <c>[B, n, h, w]</c> at any resolution (floating point; uint8 when already normalised).</param>
    /// <param name="scores">Class scores <c>[B, n]</c>; needed for <see cref="RenderOptions.TopK"/> and reported as probabilities.</param>
    /// <param name="classes">The classes of each map when <paramref name="classMaps"/> holds only some classes, <c>[B, n]</c>; null when map j is class j.</param>
    public RenderedExplanations Render(Tensor images, Tensor classMaps, Tensor? scores = null, Tensor? classes = null)
    {
        TensorChecks.Rank(images, 4, nameof(ExplanationRenderer), "uint8 images [B, 1 or 3, H, W]", nameof(images));
        TensorChecks.Rank(classMaps, 4, nameof(ExplanationRenderer), "class maps [B, n, h, w]", nameof(classMaps));
        long b = images.shape[0], n = classMaps.shape[1], height = images.shape[2], width = images.shape[3];
        if (classMaps.shape[0] != b)
        {
            throw new ArgumentException($"{nameof(ExplanationRenderer)} expects one set of class maps per image ({b}); got {TensorChecks.Describe(classMaps)}.", nameof(classMaps));
        }

        if (scores is not null && (scores.dim() != 2 || scores.shape[0] != b))
        {
            throw new ArgumentException($"{nameof(ExplanationRenderer)} expects scores [B = {b}, n]; got {TensorChecks.Describe(scores)}.", nameof(scores));
        }

        if (classes is not null && !classes.shape.SequenceEqual(classMaps.shape[..2]))
        {
            throw new ArgumentException($"{nameof(ExplanationRenderer)} expects the class of every map [{b}, {n}]; got {TensorChecks.Describe(classes)}.", nameof(classes));
        }

        using var scope = NewDisposeScope();
        var rgb = ImageTensors.ToRgb(images);
        var normalized = MapNormalizer.Normalize(classMaps, Options.Normalization, Options.GradMinLevel, nameof(ExplanationRenderer));

        // Which maps to draw: positions in the map tensor, and the classes they show.
        Tensor positions;
        if (Options.TopK is int k)
        {
            if (scores is null || classes is not null)
            {
                throw new ArgumentException("RenderOptions.TopK chooses classes from the scores of all classes; pass scores [B, n] and maps of every class.", nameof(scores));
            }

            positions = ClassSelection.ForPolarity(scores, Math.Min(k, (int)n), Options.Polarity);
        }
        else
        {
            using var scalars = new ScalarScope();
            positions = scalars.Range(n, device: classMaps.device).expand(b, n);
        }

        var chosen = positions.to(classMaps.device);
        var shown = classes is null ? chosen : classes.to(ScalarType.Int64).gather(1, chosen);
        var selected = normalized.gather(1, chosen.view(b, -1, 1, 1).expand(-1, -1, normalized.shape[2], normalized.shape[3]));
        // Quantised at the map's resolution and resized with Pillow's filter, as the official code does with its slot maps.
        var masks = HeatmapOverlay.ToImageSize(Colormap.ToIndex(selected), height, width); // [B, k, H, W] uint8
        var overlays = HeatmapOverlay.Blend(rgb.unsqueeze(1).expand(-1, masks.shape[1], -1, -1, -1), Options.Colormap.Apply(masks), Options.Alpha);
        Tensor? probabilities = null;
        if (scores is not null)
        {
            var all = nn.functional.softmax(scores.to(ScalarType.Float32), 1);
            probabilities = classes is null ? all.gather(1, chosen.to(scores.device)) : all.gather(1, shown.to(scores.device));
        }

        var result = new RenderedExplanations(rgb.contiguous(), shown.contiguous(), probabilities, masks.unsqueeze(2).contiguous(), overlays, Options.Polarity);
        return result.MoveToOuterDisposeScope();
    }
}
