using System.Text.RegularExpressions;
using Scouter.Core.Data.Imaging;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class HtmlReportTests
{
    private static RenderedExplanations Render(Tensor images, Tensor maps, Tensor scores, ScouterPolarity polarity) =>
        new ExplanationRenderer(new RenderOptions { TopK = 2, Polarity = polarity }).Render(images, maps, scores);

    [Fact]
    public void Build_EmbedsEveryPictureAsAPngDataUri_InImageThenSectionOrder()
    {
        manual_seed(8);
        using var images = randint(0, 256, [2, 3, 6, 8]).to(ScalarType.Byte);
        using var maps = rand(2, 3, 3, 4);
        using var scores = tensor(new float[] { 3, 1, 2, 0, 5, 1 }).view(2, 3);
        using var positive = Render(images, maps, scores, ScouterPolarity.Positive);
        using var negative = Render(images, maps, scores, ScouterPolarity.Negative);

        var html = HtmlReport.Build("Run <1>", [new("SCOUTER+", positive), new("Grad-CAM & co", negative)], scores, ["cat", "dog", "bird"]);

        var uris = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        uris.Should().HaveCount(2 * (1 + 2 + 2)); // per image: the image, two positive and two negative overlays
        using var firstImage = ImageDecoder.Decode(uris[0], "png");
        RenderingFixture.Array(firstImage).Should().Equal(RenderingFixture.Array(positive.Images[0]));
        using var secondNegative = ImageDecoder.Decode(uris[4], "png");
        RenderingFixture.Array(secondNegative).Should().Equal(RenderingFixture.Array(negative.Overlays[0, 1]));

        html.Should().Contain("<title>Run &lt;1&gt;</title>").And.Contain("Grad-CAM &amp; co");
        html.Should().Contain("why cat (p = ").And.Contain("why not dog (p = ");
        html.Should().NotContain("src=\"http").And.NotContain("<script");
    }

    [Fact]
    public void Build_ShowsTheMetricTableAndTheTopProbabilities()
    {
        using var images = zeros(1, 3, 2, 2, dtype: ScalarType.Byte);
        using var maps = rand(1, 2, 2, 2);
        using var scores = tensor(new float[] { 0, (float)Math.Log(3) }).view(1, 2); // p = (0.25, 0.75)
        using var rendered = new ExplanationRenderer().Render(images, maps, scores);
        var metrics = new EvaluationReport([new MethodMetrics("SCOUTER+", "why", 1, 1, 0.25, null, 1, 0.5, 0.125, 0.01, double.NaN)], new Dictionary<string, string>());

        var html = HtmlReport.Build("t", [new("SCOUTER+", rendered)], scores, metrics: metrics);

        html.Should().Contain("<td>class 1</td><td>0.7500</td>").And.Contain("<td>class 0</td><td>0.2500</td>");
        html.Should().Contain("<td>SCOUTER+</td><td>why</td><td>1</td><td>1.0000</td><td>0.2500</td><td>—</td>");
    }

    [Fact]
    public void Build_RejectsSectionsOfDifferentImages()
    {
        using var a = zeros(1, 3, 2, 2, dtype: ScalarType.Byte);
        using var b = zeros(2, 3, 2, 2, dtype: ScalarType.Byte);
        using var mapsA = rand(1, 2, 2, 2);
        using var mapsB = rand(2, 2, 2, 2);
        using var first = new ExplanationRenderer().Render(a, mapsA);
        using var second = new ExplanationRenderer().Render(b, mapsB);

        var act = () => HtmlReport.Build("t", [new("one", first), new("two", second)]);

        act.Should().Throw<ArgumentException>().WithMessage("*same 1 images*'two'*");
    }

    [Fact]
    public void Build_ShowsEachImagesPanelUnderIt()
    {
        manual_seed(9);
        using var images = randint(0, 256, [2, 3, 4, 4]).to(ScalarType.Byte);
        using var maps = rand(2, 3, 2, 2);
        using var scores = rand(2, 3);
        using var rendered = new ExplanationRenderer().Render(images, maps, scores);
        using var panels = new PanelRenderer(new PanelOptions { TileSize = 8 }).Render(images, maps, scores);

        var html = HtmlReport.Build("t", [new("SCOUTER+", rendered)], scores, panels: panels);

        var uris = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        uris.Should().HaveCount(2 * (1 + 1 + 3)); // per image: the image, its panel, three overlays
        using var secondPanel = ImageDecoder.Decode(uris[6], "png");
        using var expected = panels.Panels[1];
        RenderingFixture.Array(secondPanel).Should().Equal(RenderingFixture.Array(expected));
        html.Should().Contain($"<img width=\"{panels.Layout.Width}\" alt=\"panel\"");
    }
}
