using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class HeatmapOverlayTests
{
    [Fact]
    public void Overlay_OfTheOfficialEightBitSlotMap_ReproducesTheOfficialVisualisation()
    {
        // The fixture ran the official steps: joint uint8 slot maps (2×3), Pillow resize to the 5×7 image, matplotlib jet,
        // alpha 0.4 composited by Pillow.
        using var image = RenderingFixture.Bytes("official.image").unsqueeze(0); // [1, 3, 5, 7]
        using var attention = RenderingFixture.Float("official.attention").unsqueeze(0); // [1, 3, 2, 3]
        using var expected = RenderingFixture.Bytes("official.overlay"); // [3, 3, 5, 7]
        using var slotBytes = ExplanationMaps.ToOfficialUInt8(attention)[0]; // [3, 2, 3]

        using var images = image.expand(3, -1, -1, -1);
        using var overlays = HeatmapOverlay.Overlay(images, slotBytes);

        RenderingFixture.Array(overlays).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Overlay_OfAFloatMaskAtImageSize_ReproducesTheOfficialBaselineVisualisation()
    {
        using var image = RenderingFixture.Bytes("official.image").unsqueeze(0);
        using var mask = RenderingFixture.Float("baseline.mask").unsqueeze(0); // [1, 5, 7]
        using var expected = RenderingFixture.Bytes("baseline.overlay");

        using var overlay = HeatmapOverlay.Overlay(image, mask);

        RenderingFixture.Array(overlay[0]).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Grayscale_IsTheTruncatedEightBitMask()
    {
        using var mask = RenderingFixture.Float("baseline.mask").unsqueeze(0);
        using var expected = RenderingFixture.Bytes("baseline.gray");

        using var gray = HeatmapOverlay.Grayscale(mask, 5, 7);

        gray.shape.Should().Equal(1, 1, 5, 7);
        RenderingFixture.Array(gray).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Blend_WeighsHeatmapAndImageByTheTruncatedAlpha()
    {
        // a = ⌊0.4·255⌋ = 102: white over black → round(102·255/255) = 102; black over white → 153; equal colours stay.
        using var images = tensor(new byte[] { 0, 255, 40 }).view(1, 3, 1, 1);
        using var heat = tensor(new byte[] { 255, 0, 40 }).view(1, 3, 1, 1);

        using var blended = HeatmapOverlay.Blend(images, heat);

        RenderingFixture.Array(blended).Should().Equal(102, 153, 40);
    }

    [Fact]
    public void Blend_TreatsAOneChannelImageAsGrey()
    {
        using var images = tensor(new byte[] { 255 }).view(1, 1, 1, 1);
        using var heat = tensor(new byte[] { 0, 0, 0 }).view(1, 3, 1, 1);
        using var blended = HeatmapOverlay.Blend(images, heat, alpha: 1);
        RenderingFixture.Array(blended).Should().Equal(0, 0, 0);
    }

    [Fact]
    public void Blend_RejectsHeatmapsOfAnotherSize()
    {
        using var images = zeros(1, 3, 4, 5, dtype: ScalarType.Byte);
        using var heat = zeros(1, 3, 5, 4, dtype: ScalarType.Byte);
        var act = () => HeatmapOverlay.Blend(images, heat);
        act.Should().Throw<ArgumentException>().WithMessage("*same size*[1, 3, 4, 5]*[1, 3, 5, 4]*");
    }
}
