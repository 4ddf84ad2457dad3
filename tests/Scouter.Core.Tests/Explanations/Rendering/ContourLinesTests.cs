using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ContourLinesTests
{
    private static readonly byte[] Grey = [90, 90, 90];

    [Fact]
    public void Draw_OutlinesTheRegionAtTheLevelAndLeavesItsInsideAndOutsideAlone()
    {
        // A 4×4 block of ones in a 6×6 map: its twelve edge pixels are the outline, its 2×2 centre is not.
        using var map = zeros(1, 6, 6);
        map[0, 1..5, 1..5] = tensor(1f);
        using var image = full([1, 1, 6, 6], 90, ScalarType.Byte);
        using var lut = Colormap.MatplotlibJet.LookupTable();

        using var drawn = ContourLines.Draw(image, map, [0.5]);

        using var first = drawn[0];
        var level = ColorBarTests.Entry(lut, 127);
        ColorBarTests.Pixel(first, 1, 1).Should().Equal(level);
        ColorBarTests.Pixel(first, 1, 3).Should().Equal(level);
        ColorBarTests.Pixel(first, 4, 2).Should().Equal(level);
        ColorBarTests.Pixel(first, 2, 2).Should().Equal(Grey, "the inside of the region is no line");
        ColorBarTests.Pixel(first, 3, 3).Should().Equal(Grey);
        ColorBarTests.Pixel(first, 0, 0).Should().Equal(Grey, "outside the region nothing is drawn");
        ColorBarTests.Pixel(first, 5, 3).Should().Equal(Grey);
    }

    [Fact]
    public void Draw_DrawsNoLineAlongTheImageBorder_AndTheHigherLevelWhereLinesMeet()
    {
        // Left half 1, right half 0: one vertical edge, which both levels share.
        using var map = zeros(1, 4, 4);
        map[0, .., ..2] = tensor(1f);
        using var image = full([1, 3, 4, 4], 90, ScalarType.Byte);
        using var lut = Colormap.Viridis.LookupTable();

        using var drawn = ContourLines.Draw(image, map, [0.75, 0.25], Colormap.Viridis);

        using var first = drawn[0];
        for (var y = 0; y < 4; y++)
        {
            ColorBarTests.Pixel(first, y, 0).Should().Equal(Grey, "the image's border is not the region's edge");
            ColorBarTests.Pixel(first, y, 1).Should().Equal(ColorBarTests.Entry(lut, 191), "the line of 0.75 is drawn over that of 0.25");
            ColorBarTests.Pixel(first, y, 2).Should().Equal(Grey);
        }
    }

    [Fact]
    public void Draw_WidensTheLineInwardsToTheThickness()
    {
        using var map = zeros(1, 1, 8);
        map[0, 0, ..5] = tensor(1f);
        using var image = zeros([1, 1, 1, 8], ScalarType.Byte);

        using var drawn = ContourLines.Draw(image, map, [0.5], thickness: 2);

        using var red = drawn[0, 0, 0].contiguous();
        using var lut = Colormap.MatplotlibJet.LookupTable();
        var line = lut[127, 0].item<byte>();
        red.data<byte>().ToArray().Should().Equal(0, 0, 0, line, line, 0, 0, 0);
    }

    [Fact]
    public void Draw_RejectsLevelsOutsideTheUnitIntervalAndMapsOfAnotherSize()
    {
        using var image = zeros([1, 3, 4, 4], ScalarType.Byte);
        using var map = zeros(1, 4, 4);
        using var small = zeros(1, 2, 2);

        ((Action)(() => ContourLines.Draw(image, map, [0]))).Should().Throw<ArgumentException>().WithMessage("*(0, 1]*got [0]*");
        ((Action)(() => ContourLines.Draw(image, small, [0.5]))).Should().Throw<ArgumentException>().WithMessage("*[1, 4, 4]*got [1, 2, 2]*");
    }
}
