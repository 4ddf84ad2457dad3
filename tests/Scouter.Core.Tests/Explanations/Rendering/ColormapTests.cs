using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ColormapTests
{
    private static Tensor Ramp() => arange(256, dtype: ScalarType.Byte).view(1, 256);

    [Theory]
    [InlineData("jet (OpenCV)", "lut.opencv_jet")]
    [InlineData("jet (matplotlib)", "lut.matplotlib_jet")]
    [InlineData("viridis", "lut.viridis")]
    public void Apply_ToARamp_ReproducesTheReferenceLibrary(string name, string fixture)
    {
        var colormap = new[] { Colormap.Jet, Colormap.MatplotlibJet, Colormap.Viridis }.Single(c => c.Name == name);
        using var ramp = Ramp();

        using var colours = colormap.Apply(ramp); // [3, 1, 256]
        using var expected = RenderingFixture.Bytes(fixture); // [256, 3] RGB

        using var rgbLast = colours.view(3, 256).t();
        RenderingFixture.Array(rgbLast).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Jet_HasOpenCvsDarkBlueAndDarkRedEnds_InRgbOrder()
    {
        using var ends = tensor(new byte[] { 0, 255 }).view(1, 2);
        using var colours = Colormap.Jet.Apply(ends);
        RenderingFixture.Array(colours).Should().Equal(0, 128, 0, 0, 128, 0); // R = (0, 128), G = (0, 0), B = (128, 0)
    }

    [Fact]
    public void Viridis_HasItsPublishedEnds()
    {
        using var lut = Colormap.Viridis.LookupTable();
        RenderingFixture.Array(lut[0]).Should().Equal(0x44, 0x01, 0x54);
        RenderingFixture.Array(lut[255]).Should().Equal(0xFD, 0xE7, 0x25);
    }

    [Fact]
    public void Apply_TruncatesFloatMapsLikeNumpysUint8Cast()
    {
        // 0.5·255 = 127.5 → 127; 1 → 255; values outside [0, 1] are clamped.
        using var maps = tensor(new float[] { 0.5f, 1, -3, 7 }).view(1, 4);
        using var index = Colormap.ToIndex(maps);
        RenderingFixture.Array(index).Should().Equal(127, 255, 0, 255);
    }

    [Fact]
    public void Apply_KeepsLeadingDimensions_AndPutsColoursBeforeHeightAndWidth()
    {
        using var maps = zeros(2, 5, 4, 3);
        using var colours = Colormap.Viridis.Apply(maps);
        colours.shape.Should().Equal(2, 5, 3, 4, 3);
        colours.dtype.Should().Be(ScalarType.Byte);
    }

    [Fact]
    public void Apply_RejectsNaN()
    {
        using var maps = tensor(new[] { float.NaN, 0 }).view(1, 2);
        var act = () => Colormap.Jet.Apply(maps);
        act.Should().Throw<ArgumentException>().WithMessage("*NaN*");
    }

    [Fact]
    public void FromTable_RejectsATableOfTheWrongLength()
    {
        var act = () => Colormap.FromTable("short", new byte[767]);
        act.Should().Throw<ArgumentException>().WithMessage("*768 bytes*767*");
    }
}
