using Scouter.Core.Data.Imaging;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class PanelRendererTests : IDisposable
{
    // One 4×4 image of a single colour, three classes with 2×2 maps; class 1 is the most likely and its map is hot in
    // the top-right cell only. TileSize 8 enlarges the image twice: tiles of 8×8.
    private static readonly byte[] Colour = [200, 100, 50];
    private readonly Tensor image = tensor(Colour, ScalarType.Byte).view(1, 3, 1, 1).expand(1, 3, 4, 4).contiguous();
    private readonly Tensor maps = tensor(new float[] { 0.1f, 0.1f, 0.1f, 0.1f, 0, 1, 0, 0, 0.2f, 0.3f, 0.2f, 0.2f }).view(1, 3, 2, 2);
    private readonly Tensor scores = tensor(new float[] { 1, 3, 2 }).view(1, 3);
    private readonly Tensor lut = Colormap.MatplotlibJet.LookupTable();

    public void Dispose()
    {
        image.Dispose();
        maps.Dispose();
        scores.Dispose();
        lut.Dispose();
    }

    private static PanelRenderer Renderer(params PanelStyle[] styles) =>
        new(new PanelOptions { TileSize = 8, Styles = styles.Length == 0 ? new PanelOptions().Styles : styles, ClassNames = ["red", "green", "blue"] });

    private static byte[] At(RenderedPanels panels, int row, int column, int y, int x)
    {
        var (top, left) = panels.Layout.TileOrigin(row, column);
        using var panel = panels.Panels[0];
        return ColorBarTests.Pixel(panel, top + y, left + x);
    }

    [Fact]
    public void Render_ShowsTheClassesByProbability_WithTheirProbabilities()
    {
        using var panels = Renderer().Render(image, maps, scores);

        panels.Classes.data<long>().ToArray().Should().Equal(1, 2, 0);
        using var expected = nn.functional.softmax(scores, 1);
        panels.Probabilities.data<float>().ToArray().Should().Equal(expected[0, 1].item<float>(), expected[0, 2].item<float>(), expected[0, 0].item<float>());
        panels.Layout.Columns.Should().Be(4);
        panels.Layout.Rows.Should().Be(2);
        panels.Panels.shape.Should().Equal(1, 3, panels.Layout.Height, panels.Layout.Width);
    }

    [Fact]
    public void Render_ColorScale_DrawsTheHottestCellWithTheHotEndWhereItIs()
    {
        using var panels = Renderer(PanelStyle.ColorScale).Render(image, maps, scores);

        // Column 1 is class 1 (the most likely). Normalised jointly, its top-right cell is 1 and its others 0.
        var hot = ColorBarTests.Entry(lut, 255);
        var cold = ColorBarTests.Entry(lut, 0);
        At(panels, 0, 1, 0, 7).Should().Equal(hot);
        At(panels, 0, 1, 1, 6).Should().Equal(hot);
        At(panels, 0, 1, 7, 0).Should().Equal(cold);
        At(panels, 0, 1, 7, 7).Should().Equal(cold);
        At(panels, 0, 1, 0, 0).Should().Equal(cold);
        // Class 0's map is a flat 0.1 of the joint range: entry ⌊255·0.1⌋ everywhere, far from the hot end.
        At(panels, 0, 3, 4, 4).Should().Equal(ColorBarTests.Entry(lut, 25));
    }

    [Fact]
    public void Render_PutsTheEnlargedImageFirstAndTheColourBarBesideTheFirstRow()
    {
        using var panels = Renderer(PanelStyle.ColorScale).Render(image, maps, scores);

        for (var y = 0; y < 8; y++)
        {
            At(panels, 0, 0, y, y).Should().Equal(Colour);
        }

        var (top, left) = panels.Layout.ColorBarOrigin;
        using var panel = panels.Panels[0];
        ColorBarTests.Pixel(panel, top, left + 1).Should().Equal(ColorBarTests.Entry(lut, 255));
        ColorBarTests.Pixel(panel, top + panels.Layout.TileHeight - 1, left + 1).Should().Equal(ColorBarTests.Entry(lut, 0));
    }

    [Fact]
    public void Render_Contours_OutlineTheHotCellOverTheGreyImage()
    {
        using var panels = new PanelRenderer(new PanelOptions { TileSize = 8, Styles = [PanelStyle.Contours], ContourLevels = [0.5] }).Render(image, maps, scores);

        // Pillow's convert('L') of (200, 100, 50).
        var grey = (byte)((19595 * 200 + 38470 * 100 + 7471 * 50 + 32768) >> 16);
        byte[] background = [grey, grey, grey];
        // Upsampled bilinearly to 8×8 (source x = (x + 0.5)/4 − 0.5, clamped), class 1's map is wy(y)·wx(x) with
        // wx = (0, 0, .125, .375, .625, .875, 1, 1) and wy its mirror image: in row 0 the region ≥ 0.5 starts at x = 4.
        At(panels, 0, 1, 0, 4).Should().Equal(ColorBarTests.Entry(lut, 127));
        At(panels, 0, 1, 0, 3).Should().Equal(background, "outside the region");
        At(panels, 0, 1, 0, 7).Should().Equal(background, "inside the region, away from its edge");
        At(panels, 0, 1, 7, 0).Should().Equal(background);
        // Class 0's flat map (0.1) reaches no level: the grey image, no line.
        At(panels, 0, 3, 0, 3).Should().Equal(background);
    }

    [Fact]
    public void Render_Official_IsTheOfficialOverlayEnlargedByPixelReplication()
    {
        using var panels = Renderer(PanelStyle.Official).Render(image, maps, scores);
        using var official = new ExplanationRenderer(new RenderOptions { TopK = 3 }).Render(image, maps, scores);

        for (var j = 0; j < 3; j++)
        {
            for (var y = 0; y < 8; y++)
            {
                for (var x = 0; x < 8; x++)
                {
                    using var tile = official.Overlays[0, j];
                    At(panels, 0, j + 1, y, x).Should().Equal(ColorBarTests.Pixel(tile, y / 2, x / 2));
                }
            }
        }
    }

    [Fact]
    public void Render_NegativeModel_ShowsTheLeastLikelyClasses()
    {
        using var panels = new PanelRenderer(new PanelOptions { TopK = 2, Polarity = ScouterPolarity.Negative }).Render(image, maps, scores);

        panels.Classes.data<long>().ToArray().Should().Equal(0, 2);
        panels.Layout.Columns.Should().Be(3);
    }

    [Fact]
    public void Render_DrawsCaptionsWhereAFontIsInstalled_AndLeavesTilesUntouched()
    {
        using var panels = Renderer(PanelStyle.ColorScale).Render(image, maps, scores, tensor(new long[] { 1 }), ["val0"]);
        using var plain = Renderer(PanelStyle.ColorScale).Render(image, maps, scores, tensor(new long[] { 1 }), ["val0"]);

        panels.HasText.Should().Be(PanelRenderer.CanDrawText);
        var (top, left) = panels.Layout.TileOrigin(0, 1);
        using var caption = panels.Panels[0, .., (top + 8)..(top + 8 + PanelLayout.CaptionHeight), left..(left + 8)];
        using var header = panels.Panels[0, .., ..PanelLayout.HeaderHeight, ..];
        var inked = caption.lt(200).any().item<bool>() && header.lt(200).any().item<bool>();
        inked.Should().Be(panels.HasText, "the caption and the header carry text exactly when a font was found");
        using var tile = panels.Panels[0, .., top..(top + 8), left..(left + 8)];
        using var unlabelled = Renderer(PanelStyle.ColorScale).Render(image, maps, scores);
        using var same = unlabelled.Panels[0, .., top..(top + 8), left..(left + 8)];
        RenderingFixture.Array(tile).Should().Equal(RenderingFixture.Array(same), "text never covers a tile");
    }

    [Fact]
    public void Save_WritesOnePngPerImage_WithThePanelsPixels()
    {
        var directory = Path.Combine(Path.GetTempPath(), "scouter-panels-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var two = cat([image, image]);
            using var twoMaps = cat([maps, maps]);
            using var twoScores = cat([scores, scores]);
            using var panels = Renderer().Render(two, twoMaps, twoScores);

            var files = panels.Save(directory);

            files.Select(Path.GetFileName).Should().Equal("panel_0.png", "panel_1.png");
            using var decoded = ImageDecoder.Decode(File.ReadAllBytes(files[1]), "png");
            using var second = panels.Panels[1];
            RenderingFixture.Array(decoded).Should().Equal(RenderingFixture.Array(second));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void Render_LeavesNoTensorBehind()
    {
        using (Renderer(PanelStyle.ColorScale, PanelStyle.Contours, PanelStyle.Official).Render(image, maps, scores))
        {
        }

        var before = LiveTensors.Count();
        using (Renderer(PanelStyle.ColorScale, PanelStyle.Contours, PanelStyle.Official).Render(image, maps, scores))
        {
        }

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void Render_RejectsScoresThatDoNotMatchTheMaps_AndOptionsThatCannotBeDrawn()
    {
        using var twoClasses = zeros(1, 2);

        ((Action)(() => Renderer().Render(image, maps, twoClasses))).Should().Throw<ArgumentException>().WithMessage("*scores of every class [B = 1, n = 3]*got [1, 2]*");
        ((Action)(() => new PanelRenderer(new PanelOptions { TopK = 0 }))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => new PanelRenderer(new PanelOptions { Styles = [] }))).Should().Throw<ArgumentException>().WithMessage("*at least one PanelStyle*");
        ((Action)(() => new PanelRenderer(new PanelOptions { ContourLevels = [1.5] }))).Should().Throw<ArgumentException>().WithMessage("*(0, 1]*1.5*");
    }
}
