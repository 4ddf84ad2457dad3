using Scouter.Core.Data.Imaging;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ExplanationRendererTests
{
    [Fact]
    public void Render_WithDefaults_ReproducesTheOfficialOverlaysOfEveryClass()
    {
        using var image = RenderingFixture.Bytes("official.image").unsqueeze(0);
        using var attention = RenderingFixture.Float("official.attention").unsqueeze(0);
        using var expectedOverlays = RenderingFixture.Bytes("official.overlay");
        using var expectedMasks = RenderingFixture.Bytes("official.resized_u8");

        using var rendered = new ExplanationRenderer().Render(image, attention);

        rendered.Overlays.shape.Should().Equal(1, 3, 3, 5, 7);
        RenderingFixture.Array(rendered.Overlays).Should().Equal(RenderingFixture.Array(expectedOverlays));
        RenderingFixture.Array(rendered.Masks).Should().Equal(RenderingFixture.Array(expectedMasks));
        rendered.Classes.data<long>().ToArray().Should().Equal(0, 1, 2);
    }

    [Fact]
    public void Render_TopKOfANegativeModel_ShowsTheLeastLikelyClassesFirst()
    {
        using var images = zeros(2, 3, 4, 6, dtype: ScalarType.Byte);
        using var maps = rand(2, 4, 2, 3);
        using var scores = tensor(new float[] { 0, 3, 1, 2, 5, 4, 7, 6 }).view(2, 4);

        using var rendered = new ExplanationRenderer(new RenderOptions { TopK = 2, Polarity = ScouterPolarity.Negative }).Render(images, maps, scores);

        rendered.Classes.data<long>().ToArray().Should().Equal(0, 2, 1, 0);
        rendered.Overlays.shape.Should().Equal(2, 2, 3, 4, 6);
        using var probabilities = nn.functional.softmax(scores, 1);
        rendered.Probabilities![0, 1].item<float>().Should().BeApproximately(probabilities[0, 2].item<float>(), 1e-6f);
    }

    [Fact]
    public void Render_PerMapNormalisation_UsesTheFullRangeForEveryMap()
    {
        // Two classes on a 1×2 map at image size: [0, 1] and [10, 30]; per map both become [0, 255].
        using var images = zeros(1, 3, 1, 2, dtype: ScalarType.Byte);
        using var maps = tensor(new float[] { 0, 1, 10, 30 }).view(1, 2, 1, 2);

        using var rendered = new ExplanationRenderer(new RenderOptions { Normalization = MapNormalization.PerMap }).Render(images, maps);

        RenderingFixture.Array(rendered.Masks).Should().Equal(0, 255, 0, 255);
    }

    [Fact]
    public void Save_WritesImagesOverlaysMasksAndAGrid_NamedByQuestionAndClass()
    {
        var folder = Path.Combine(Path.GetTempPath(), "scouter-render-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var images = zeros(1, 3, 4, 4, dtype: ScalarType.Byte);
            using var maps = rand(1, 3, 2, 2);
            using var scores = tensor(new float[] { 1, 3, 2 }).view(1, 3);
            using var rendered = new ExplanationRenderer(new RenderOptions { TopK = 1, Polarity = ScouterPolarity.Negative }).Render(images, maps, scores);

            var written = rendered.Save(folder, prefix: "batch0_");

            written.Select(Path.GetFileName).Should().Equal("batch0_0.png", "batch0_0_whynot_class0.png", "batch0_0_whynot_class0_mask.png", "batch0_grid.png");
            written.Should().OnlyContain(path => File.Exists(path));
            using var grid = ImageDecoder.Decode(File.ReadAllBytes(written[^1]), "png");
            grid.shape.Should().Equal(3, 4 + 2 * 2, 2 * 4 + 3 * 2); // one row; image and one overlay
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void Render_TopKWithoutScores_SaysWhatIsMissing()
    {
        using var images = zeros(1, 3, 2, 2, dtype: ScalarType.Byte);
        using var maps = rand(1, 3, 2, 2);
        var act = () => new ExplanationRenderer(new RenderOptions { TopK = 1 }).Render(images, maps);
        act.Should().Throw<ArgumentException>().WithMessage("*TopK*scores*");
    }
}
