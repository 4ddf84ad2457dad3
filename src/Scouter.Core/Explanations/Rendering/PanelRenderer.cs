using Scouter.Core.Compat;
using System.Globalization;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// One readable picture per image: the image, and for its most likely classes each class's map, captioned with the
/// class's name and probability, drawn in one row per <see cref="PanelStyle"/> (by default an opaque colour scale with
/// a colour bar, then contour lines over the image), under a header with the label and the prediction.
/// <see cref="PanelLayout"/> says where each part is.
/// </summary>
/// <example>
/// <code>
/// using var output = model.ForwardDetailed(inputs);
/// using var pictures = ImageTensors.ToUInt8(inputs, ImageTensors.ImageNetMean, ImageTensors.ImageNetStd);
/// using var panels = new PanelRenderer(new PanelOptions { ClassNames = names }).Render(pictures, output, labels);
/// panels.Save("explanations/");                // panel_0.png, panel_1.png, …
/// </code>
/// </example>
public sealed class PanelRenderer
{
    /// <summary>Creates a renderer.</summary>
    /// <param name="options">Drawing options; null for the defaults.</param>
    public PanelRenderer(PanelOptions? options = null)
    {
        Options = options ?? new PanelOptions();
        if (Options.TopK < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.TopK, "PanelOptions.TopK must be at least 1.");
        }

        if (Options.Styles is null || Options.Styles.Count == 0 || Options.Styles.Any(s => !Enum.IsDefined(s)))
        {
            throw new ArgumentException("PanelOptions.Styles must name at least one PanelStyle.", nameof(options));
        }

        if (Options.ContourLevels is null || Options.ContourLevels.Count == 0 || Options.ContourLevels.Any(l => !(l > 0 && l <= 1)))
        {
            throw new ArgumentException($"PanelOptions.ContourLevels must hold at least one level in (0, 1]; got [{string.Join(", ", Options.ContourLevels ?? [])}].", nameof(options));
        }

        if (Options.TileSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.TileSize, "PanelOptions.TileSize must be at least 1 pixel.");
        }

        ArgumentNullException.ThrowIfNull(Options.Colormap, "options.Colormap");
    }

    /// <summary>The drawing options.</summary>
    public PanelOptions Options { get; }

    /// <summary>Whether panels carry text. Text needs an installed font; without one, names and probabilities are only in <see cref="RenderedPanels"/> (and an <see cref="HtmlReport"/>).</summary>
    public static bool CanDrawText => PanelText.Available;

    /// <summary>Renders a SCOUTER head's output for its input images.</summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c> (see <see cref="ImageTensors.ToUInt8"/>).</param>
    /// <param name="output">The head's output: its class maps and scores are drawn.</param>
    /// <param name="labels">True classes <c>[B]</c> (−1: unknown) for the header; null to leave them out.</param>
    /// <param name="titles">One title per image (default <c>image 0</c>, <c>image 1</c>, …).</param>
    public RenderedPanels Render(Tensor images, HeadOutput output, Tensor? labels = null, IReadOnlyList<string>? titles = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var maps = output.ClassMaps ?? throw new ArgumentException("This head has no class maps (an FC head); explain it with a saliency method and render those maps.", nameof(output));
        return Render(images, maps, output.Scores, labels, titles);
    }

    /// <summary>Renders class maps for their images.</summary>
    /// <param name="images">uint8 images <c>[B, 1 or 3, H, W]</c>.</param>
    /// <param name="classMaps">Maps of every class <c>[B, n, h, w]</c> at any resolution (floating point; uint8 with <see cref="MapNormalization.None"/>).</param>
    /// <param name="scores">Class scores <c>[B, n]</c>: they choose the classes and give the probabilities (softmax).</param>
    /// <param name="labels">True classes <c>[B]</c> (−1: unknown) for the header; null to leave them out.</param>
    /// <param name="titles">One title per image (default <c>image 0</c>, <c>image 1</c>, …).</param>
    public RenderedPanels Render(Tensor images, Tensor classMaps, Tensor scores, Tensor? labels = null, IReadOnlyList<string>? titles = null)
    {
        TensorChecks.Rank(images, 4, nameof(PanelRenderer), "uint8 images [B, 1 or 3, H, W]", nameof(images));
        TensorChecks.Rank(classMaps, 4, nameof(PanelRenderer), "class maps [B, n, h, w]", nameof(classMaps));
        TensorChecks.NotNull(scores, nameof(scores));
        long b = images.shape[0], n = classMaps.shape[1], height = images.shape[2], width = images.shape[3];
        if (classMaps.shape[0] != b)
        {
            throw new ArgumentException($"{nameof(PanelRenderer)} expects one set of class maps per image ({b}); got {TensorChecks.Describe(classMaps)}.", nameof(classMaps));
        }

        if (scores.dim() != 2 || scores.shape[0] != b || scores.shape[1] != n)
        {
            throw new ArgumentException($"{nameof(PanelRenderer)} expects the scores of every class [B = {b}, n = {n}]; got {TensorChecks.Describe(scores)}.", nameof(scores));
        }

        if (labels is not null && (labels.dim() != 1 || labels.shape[0] != b))
        {
            throw new ArgumentException($"{nameof(PanelRenderer)} expects one label per image [{b}]; got {TensorChecks.Describe(labels)}.", nameof(labels));
        }

        if (titles is not null && titles.Count != b)
        {
            throw new ArgumentException($"{nameof(PanelRenderer)} expects one title per image ({b}); got {titles.Count}.", nameof(titles));
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var rgb = ImageTensors.ToRgb(images).cpu();
        var cpuScores = scores.cpu().to(ScalarType.Float32);
        var k = (int)Math.Min(Options.TopK, n);
        var normalized = MapNormalizer.Normalize(classMaps.cpu(), Options.Normalization, 0, nameof(PanelRenderer));
        var unit = normalized.dtype == ScalarType.Byte ? normalized.to(ScalarType.Float32).div_(scalars.Of(255f)) : normalized.to(ScalarType.Float32);
        var chosen = ClassSelection.ForPolarity(cpuScores, k, Options.Polarity); // [B, k]
        var probabilities = nn.functional.softmax(cpuScores, 1).gather(1, chosen);
        var selected = unit.gather(1, chosen.view(b, k, 1, 1).expand(-1, -1, unit.shape[2], unit.shape[3]));

        var factor = (int)Math.Max(1, Options.TileSize / Math.Max(height, width));
        int tileHeight = (int)height * factor, tileWidth = (int)width * factor;
        var layout = new PanelLayout(tileHeight, tileWidth, Options.Styles.Count, k + 1);
        var imageTiles = ImageTensors.Enlarge(rgb, factor); // [B, 3, TH, TW]
        var onTiles = ExplanationMaps.Upsample(selected, tileHeight, tileWidth).clamp_(scalars.Of(0f), ScalarScope.One); // [B, k, TH, TW]

        var rows = Options.Styles.Select(style => Row(style, rgb, classMaps.cpu(), cpuScores, imageTiles, onTiles, factor, k)).ToList();
        var blank = full([b, 1, 3, tileHeight, tileWidth], 255, ScalarType.Byte);
        var columnZero = Enumerable.Range(0, rows.Count).Select(r => r == 0 ? imageTiles.unsqueeze(1) : blank);
        var tiles = stack(rows.Zip(columnZero, (row, first) => cat([first, row], 1)).ToArray(), 1); // [B, R, k + 1, 3, TH, TW]
        var captioned = nn.functional.pad(tiles.view(-1, 3, tileHeight, tileWidth), [0, 0, 0, PanelLayout.CaptionHeight], PaddingModes.Constant, 255)
            .view(b, rows.Count, k + 1, 3, tileHeight + PanelLayout.CaptionHeight, tileWidth);

        var barColumn = ColorBarColumn(layout);
        var header = full([3, PanelLayout.HeaderHeight, layout.Width], 255, ScalarType.Byte);
        var classes = chosen.data<long>().ToArray();
        var shownProbabilities = probabilities.data<float>().ToArray();
        var predicted = cpuScores.argmax(1).data<long>().ToArray();
        var trueLabels = labels?.cpu().to(ScalarType.Int64).data<long>().ToArray();
        var panels = new Tensor[b];
        for (var i = 0; i < b; i++)
        {
            var body = cat([ImageGrid.Compose(captioned[i], PanelLayout.Padding), barColumn], 2);
            var panel = cat([header, body], 1);
            var title = titles?[i] ?? $"image {i}";
            panels[i] = PanelText.Draw(panel, Labels(layout, title, trueLabels?[i] ?? -1, predicted[i], classes.AsSpan(i * k, k), shownProbabilities.AsSpan(i * k, k)));
        }

        return new RenderedPanels(stack(panels), chosen, probabilities, layout, PanelText.Available).MoveToOuterDisposeScope();
    }

    /// <summary>One row's tiles of the shown classes, <c>[B, k, 3, TH, TW]</c>.</summary>
    private Tensor Row(PanelStyle style, Tensor images, Tensor classMaps, Tensor scores, Tensor imageTiles, Tensor onTiles, int factor, int k)
    {
        long b = onTiles.shape[0], tileHeight = onTiles.shape[2], tileWidth = onTiles.shape[3];
        switch (style)
        {
            case PanelStyle.ColorScale:
                return Options.Colormap.Apply(onTiles);
            case PanelStyle.Contours:
                var grey = ImageTensors.ToGray(imageTiles).unsqueeze(1).expand(-1, k, -1, -1, -1).reshape(b * k, 1, tileHeight, tileWidth);
                var thickness = Math.Max(1, (int)Math.Round(Math.Min(tileHeight, tileWidth) / 64.0));
                return ContourLines.Draw(grey, onTiles.reshape(b * k, tileHeight, tileWidth), Options.ContourLevels, Options.Colormap, thickness)
                    .view(b, k, 3, tileHeight, tileWidth);
            default:
                // The official renderer chooses the same classes from the same scores.
                using (var official = new ExplanationRenderer(new RenderOptions { Colormap = Options.Colormap, Normalization = Options.Normalization, TopK = k, Polarity = Options.Polarity })
                    .Render(images, classMaps, scores))
                {
                    return ImageTensors.Enlarge(official.Overlays, factor).contiguous();
                }
        }
    }

    /// <summary>The column right of the grid: the colour bar beside the first row, white elsewhere.</summary>
    private Tensor ColorBarColumn(PanelLayout layout)
    {
        var bar = ColorBar.Draw(Options.Colormap, layout.TileHeight, PanelLayout.ColorBarWidth).unsqueeze(0);
        var below = layout.GridHeight - PanelLayout.Padding - layout.TileHeight;
        return nn.functional.pad(bar, [0, PanelLayout.TickWidth + PanelLayout.Padding, PanelLayout.Padding, below], PaddingModes.Constant, 255).squeeze(0);
    }

    private List<PanelLabel> Labels(PanelLayout layout, string title, long label, long predicted, ReadOnlySpan<long> classes, ReadOnlySpan<float> probabilities)
    {
        const float captionSize = 11, headerSize = 13, tickSize = 10;
        var header = label >= 0 ? $"{title}  ·  label {Name(label)}  ·  predicted {Name(predicted)}" : $"{title}  ·  predicted {Name(predicted)}";
        var labels = new List<PanelLabel> { new(header, PanelLayout.Padding, 16, headerSize, layout.Width - 2 * PanelLayout.Padding) };
        var question = Options.Polarity == ScouterPolarity.Negative ? "not " : string.Empty;
        for (var row = 0; row < layout.Rows; row++)
        {
            var (y, x) = layout.TileOrigin(row, 0);
            var below = y + layout.TileHeight;
            if (row == 0)
            {
                labels.Add(new("image", x, below + 13, captionSize, layout.TileWidth));
            }
            else
            {
                labels.AddRange(Describe(Options.Styles[row]).Select((line, i) => new PanelLabel(line, x + 2, y + 14 + 14 * i, captionSize, layout.TileWidth - 4)));
            }

            for (var j = 0; j < classes.Length; j++)
            {
                var left = layout.TileOrigin(row, j + 1).X;
                labels.Add(new(question + Name(classes[j]), left, below + 13, captionSize, layout.TileWidth));
                labels.Add(new($"p = {probabilities[j].ToString("0.000", CultureInfo.InvariantCulture)}", left, below + 27, captionSize, layout.TileWidth));
            }
        }

        var (barY, barX) = layout.ColorBarOrigin;
        var tickX = barX + PanelLayout.ColorBarWidth + 3;
        labels.Add(new("1", tickX, barY + 9, tickSize, PanelLayout.TickWidth));
        labels.Add(new("0.5", tickX, barY + layout.TileHeight / 2 + 4, tickSize, PanelLayout.TickWidth));
        labels.Add(new("0", tickX, barY + layout.TileHeight, tickSize, PanelLayout.TickWidth));
        return labels;
    }

    private IEnumerable<string> Describe(PanelStyle style) => style switch
    {
        PanelStyle.ColorScale => ["the maps on", "the colour scale"],
        PanelStyle.Contours => ["contours at", string.Join(", ", Options.ContourLevels.Distinct().Order().Select(l => l.ToString(CultureInfo.InvariantCulture)))],
        _ => ["official overlay", "(opacity 0.4)"],
    };

    private string Name(long c) => Options.ClassNames is { } names && c >= 0 && c < names.Count ? names[(int)c] : $"class {c}";
}
