using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ColorBarTests
{
    [Fact]
    public void Draw_PutsTheHotEndAtTheTopAndTheColdEndAtTheBottom()
    {
        using var bar = ColorBar.Draw(Colormap.MatplotlibJet, 9, 3);
        using var lut = Colormap.MatplotlibJet.LookupTable();

        bar.shape.Should().Equal(3, 9, 3);
        for (var x = 0; x < 3; x++)
        {
            Pixel(bar, 0, x).Should().Equal(Entry(lut, 255));
            Pixel(bar, 8, x).Should().Equal(Entry(lut, 0));
            Pixel(bar, 4, x).Should().Equal(Entry(lut, 127), "the middle row shows 0.5, entry ⌊255·0.5⌋");
        }
    }

    [Fact]
    public void Draw_RejectsABarTooSmallToShowBothEnds()
    {
        var act = () => ColorBar.Draw(Colormap.Viridis, 1, 4);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("height");
    }

    internal static byte[] Pixel(Tensor image, long y, long x)
    {
        using var column = image[.., y, x].contiguous();
        return column.data<byte>().ToArray();
    }

    internal static byte[] Entry(Tensor lut, int index)
    {
        using var row = lut[index].contiguous();
        return row.data<byte>().ToArray();
    }
}
