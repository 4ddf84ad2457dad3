using System.Globalization;
using System.Net;
using System.Text;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Internal;
using Scouter.Core.IO;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// A self-contained, offline HTML page of one run: per image, the image, the predicted probabilities and the maps of
/// every section (SCOUTER's per-class "why" or "why not" maps, baselines) side by side; optionally the metric table.
/// Pictures are embedded as base64 PNG data URIs, so the single file can be opened anywhere without a server.
/// </summary>
public static class HtmlReport
{
    /// <summary>Builds the page.</summary>
    /// <param name="title">Page title.</param>
    /// <param name="sections">Blocks of maps, all rendered for the same images (at least one).</param>
    /// <param name="scores">Class scores <c>[B, n]</c> for the probability table; null to leave it out.</param>
    /// <param name="classNames">Class names by index; null to show indices.</param>
    /// <param name="metrics">A metric table to show at the top; null to leave it out.</param>
    /// <param name="topProbabilities">Most likely classes listed per image (default 5).</param>
    /// <param name="displayWidth">Width in CSS pixels at which each picture is shown (default 192; small images are scaled up without smoothing).</param>
    /// <param name="panels">One <see cref="PanelRenderer"/> panel per image, shown at its own size under the image; null to leave them out.</param>
    /// <returns>The HTML text.</returns>
    public static string Build(string title, IReadOnlyList<HtmlReportSection> sections, Tensor? scores = null, IReadOnlyList<string>? classNames = null,
        EvaluationReport? metrics = null, int topProbabilities = 5, int displayWidth = 192, RenderedPanels? panels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(title);
        ArgumentNullException.ThrowIfNull(sections);
        if (sections.Count == 0)
        {
            throw new ArgumentException("An HTML report needs at least one section of maps.", nameof(sections));
        }

        var images = sections[0].Maps.Images;
        var count = sections[0].Maps.Count;
        var mismatch = sections.FirstOrDefault(s => s.Maps.Count != count || !s.Maps.Images.shape.SequenceEqual(images.shape));
        if (mismatch is not null)
        {
            throw new ArgumentException($"Every section must show the same {count} images {TensorChecks.Describe(images)}; '{mismatch.Title}' has {TensorChecks.Describe(mismatch.Maps.Images)}.", nameof(sections));
        }

        if (scores is not null && (scores.dim() != 2 || scores.shape[0] != count))
        {
            throw new ArgumentException($"The scores must be [B = {count}, n]; got {TensorChecks.Describe(scores)}.", nameof(scores));
        }

        if (panels is not null && panels.Count != count)
        {
            throw new ArgumentException($"The report shows {count} images; got {panels.Count} panels.", nameof(panels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(topProbabilities, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(displayWidth, 16);

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Encode(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}")
            .Append("h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:15px;margin:14px 0 6px}")
            .Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f3f3f3}")
            .Append("td:first-child,th:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}")
            .Append("figure{margin:0;text-align:center}figcaption{font-size:12px;margin-top:2px}img{image-rendering:pixelated;border:1px solid #bbb}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(Encode(title)).Append("</h1>\n");

        if (metrics is not null)
        {
            AppendMetrics(html, metrics);
        }

        var probabilities = scores is null ? null : Probabilities(scores, Math.Min(topProbabilities, (int)scores.shape[1]));
        for (var b = 0; b < count; b++)
        {
            html.Append("<h2>Image ").Append(b.ToString(CultureInfo.InvariantCulture)).Append("</h2>\n<div class=\"row\">\n");
            AppendFigure(html, sections[0].Maps.ImagePng(b), "image", displayWidth);
            if (probabilities is not null)
            {
                html.Append("<table><tr><th>class</th><th>probability</th></tr>");
                foreach (var (c, p) in probabilities[b])
                {
                    html.Append("<tr><td>").Append(Encode(ClassName(c, classNames))).Append("</td><td>").Append(p.ToString("0.0000", CultureInfo.InvariantCulture)).Append("</td></tr>");
                }

                html.Append("</table>\n");
            }

            html.Append("</div>\n");
            if (panels is not null)
            {
                html.Append("<div class=\"row\">\n");
                AppendFigure(html, panels.Png(b), "panel", panels.Layout.Width);
                html.Append("</div>\n");
            }

            foreach (var section in sections)
            {
                html.Append("<h3>").Append(Encode(section.Title)).Append("</h3>\n<div class=\"row\">\n");
                var maps = section.Maps;
                using var classes = maps.Classes.cpu();
                using var shown = maps.Probabilities?.cpu();
                for (var j = 0; j < maps.MapsPerImage; j++)
                {
                    var c = classes[b, j].item<long>();
                    var caption = $"{(maps.Polarity == ScouterPolarity.Negative ? "why not" : "why")} {ClassName(c, classNames)}";
                    if (shown is not null)
                    {
                        caption += $" (p = {shown[b, j].item<float>().ToString("0.000", CultureInfo.InvariantCulture)})";
                    }

                    AppendFigure(html, maps.OverlayPng(b, j), caption, displayWidth);
                }

                html.Append("</div>\n");
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Builds the page and writes it atomically to <paramref name="path"/>.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="title">Page title.</param>
    /// <param name="sections">Blocks of maps.</param>
    /// <param name="scores">Class scores for the probability table, or null.</param>
    /// <param name="classNames">Class names, or null.</param>
    /// <param name="metrics">Metric table, or null.</param>
    /// <param name="panels">One panel per image, or null.</param>
    public static void Write(string path, string title, IReadOnlyList<HtmlReportSection> sections, Tensor? scores = null, IReadOnlyList<string>? classNames = null, EvaluationReport? metrics = null,
        RenderedPanels? panels = null) =>
        AtomicFile.Write(path, Build(title, sections, scores, classNames, metrics, panels: panels));

    private static void AppendMetrics(StringBuilder html, EvaluationReport metrics)
    {
        html.Append("<h2>Metrics</h2>\n<table><tr><th>method</th><th>explains</th><th>images</th><th>accuracy</th><th>area size ↓</th><th>precision ↑</th>")
            .Append("<th>pointing game ↑</th><th>IAUC ↑</th><th>DAUC ↓</th><th>infidelity ↓</th><th>max-sensitivity ↓</th></tr>\n");
        foreach (var row in metrics.Rows)
        {
            html.Append("<tr><td>").Append(Encode(row.Method)).Append("</td><td>").Append(Encode(row.Question)).Append("</td><td>").Append(row.Images.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (var value in new double?[] { row.Accuracy, row.AreaSize, row.Precision, row.PointingGame, row.InsertionAuc, row.DeletionAuc, row.Infidelity, row.MaxSensitivity })
            {
                html.Append("<td>").Append(value is double v && !double.IsNaN(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "—").Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendFigure(StringBuilder html, byte[] png, string caption, int width)
    {
        html.Append("<figure><img width=\"").Append(width.ToString(CultureInfo.InvariantCulture)).Append("\" alt=\"").Append(Encode(caption))
            .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"><figcaption>").Append(Encode(caption)).Append("</figcaption></figure>\n");
    }

    private static List<(long Class, float Probability)>[] Probabilities(Tensor scores, int k)
    {
        using var scope = NewDisposeScope();
        var p = nn.functional.softmax(scores.to(ScalarType.Float32), 1).cpu();
        var (values, indices) = p.topk(k, 1);
        var v = values.data<float>().ToArray();
        var i = indices.data<long>().ToArray();
        return Enumerable.Range(0, (int)scores.shape[0]).Select(b => Enumerable.Range(0, k).Select(j => (i[b * k + j], v[b * k + j])).ToList()).ToArray();
    }

    private static string ClassName(long c, IReadOnlyList<string>? names) =>
        names is not null && c < names.Count ? names[(int)c] : $"class {c}";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
