using Scouter.Core.Explanations;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class ExplanationMapsTests
{
    // Two images, two classes, 1×2 maps. Image 0 spans [1, 5]; image 1 is constant.
    private static Tensor Maps() => tensor(new float[] { 1, 3, 5, 2, 7, 7, 7, 7 }).reshape(2, 2, 1, 2);

    [Fact]
    public void NormalizeJointly_UsesOneMinAndMaxPerImageAcrossClasses()
    {
        using var maps = Maps();
        using var normalized = ExplanationMaps.NormalizeJointly(maps);

        // Image 0: (x − 1) / 4 → [0, 0.5] and [1, 0.25]; image 1 is constant → zeros rather than NaN.
        using var expected = tensor(new float[] { 0, 0.5f, 1, 0.25f, 0, 0, 0, 0 }).reshape(2, 2, 1, 2);
        TensorAssert.Close(normalized, expected, rtol: 0, atol: 1e-7);
    }

    [Fact]
    public void NormalizePerClass_UsesEachMapsOwnRange()
    {
        using var maps = Maps();
        using var normalized = ExplanationMaps.NormalizePerClass(maps);

        // Class 0 of image 0: [1, 3] → [0, 1]; class 1: [5, 2] → [1, 0].
        using var expected = tensor(new float[] { 0, 1, 1, 0, 0, 0, 0, 0 }).reshape(2, 2, 1, 2);
        TensorAssert.Close(normalized, expected, rtol: 0, atol: 1e-7);
    }

    [Fact]
    public void NormalizeWithFloor_ReLUsNormalisesFloorsAndNormalisesAgain()
    {
        // Class 0: [-2, 0, 2, 6] → ReLU [0, 0, 2, 6] → /6 [0, 0, 1/3, 1] → floor 0.5 [0.5, 0.5, 0.5, 1] → [0, 0, 0, 1].
        // Class 1: [1, 2, 3, 5] → [0, 0.25, 0.5, 1] → [0.5, 0.5, 0.5, 1] → [0, 0, 0, 1]; with floor 0.2: [0.2, 0.25, 0.5, 1] → [0, 1/16, 3/8, 1].
        using var maps = tensor(new float[] { -2, 0, 2, 6, 1, 2, 3, 5 }).reshape(1, 2, 2, 2);

        using var high = ExplanationMaps.NormalizeWithFloor(maps, 0.5);
        using var low = ExplanationMaps.NormalizeWithFloor(maps, 0.2);

        using var expectedHigh = tensor(new float[] { 0, 0, 0, 1, 0, 0, 0, 1 }).reshape(1, 2, 2, 2);
        using var expectedLow = tensor(new float[] { 0, 0, 1f / 6, 1, 0, 1f / 16, 3f / 8, 1 }).reshape(1, 2, 2, 2);
        TensorAssert.Close(high, expectedHigh, rtol: 0, atol: 1e-6);
        TensorAssert.Close(low, expectedLow, rtol: 0, atol: 1e-6);
    }

    [Fact]
    public void NormalizeWithFloor_Jointly_SharesOneRangePerImage()
    {
        // Joint range of [0, 2] and [4, 8] is [0, 8]: values /8, no floor.
        using var maps = tensor(new float[] { 0, 2, 4, 8 }).reshape(1, 2, 1, 2);
        using var joint = ExplanationMaps.NormalizeWithFloor(maps, 0, jointly: true);
        joint.flatten().data<float>().ToArray().Should().Equal(0, 0.25f, 0.5f, 1);
    }

    [Fact]
    public void ToOfficialUInt8_TruncatesLikeNumpy()
    {
        // Image 0 normalised jointly: [0, 0.5, 1, 0.25] · 255 = [0, 127.5, 255, 63.75] → truncated [0, 127, 255, 63].
        using var maps = Maps();
        using var bytes = ExplanationMaps.ToOfficialUInt8(maps);

        bytes.dtype.Should().Be(ScalarType.Byte);
        bytes[0].flatten().data<byte>().ToArray().Should().Equal(0, 127, 255, 63);
    }

    [Fact]
    public void AreaSize_IsTheMapSumOverPixelsTimes255()
    {
        using var maps = Maps();
        using var bytes = ExplanationMaps.ToOfficialUInt8(maps);
        using var area = ExplanationMaps.AreaSize(bytes);

        // Class 0 of image 0: (0 + 127) / (1·2·255) = 0.2490196; class 1: (255 + 63) / 510 = 0.6235294.
        area.shape.Should().Equal(2, 2);
        area[0, 0].item<float>().Should().BeApproximately(0.2490196f, 1e-6f);
        area[0, 1].item<float>().Should().BeApproximately(0.6235294f, 1e-6f);
        area[1].sum().item<float>().Should().Be(0f);
    }

    [Fact]
    public void AreaSize_RejectsFloatMaps()
    {
        using var maps = Maps();
        var act = () => ExplanationMaps.AreaSize(maps);
        act.Should().Throw<ArgumentException>().WithMessage("*uint8*Float32*");
    }

    [Fact]
    public void Upsample_ResizesBilinearlyToTheImageSize_KeepingHeightAndWidthApart()
    {
        // A 1×2 map [0, 1] upsampled to 3×4 (align_corners false): every row is [0, 0.25, 0.75, 1].
        using var map = tensor(new float[] { 0, 1 }).reshape(1, 1, 1, 2);
        using var up = ExplanationMaps.Upsample(map, 3, 4);

        up.shape.Should().Equal(1, 1, 3, 4);
        using var expectedRow = tensor(new float[] { 0, 0.25f, 0.75f, 1 });
        for (var row = 0; row < 3; row++)
        {
            TensorAssert.Close(up[0, 0, row], expectedRow, rtol: 0, atol: 1e-6);
        }
    }

    [Fact]
    public void SelectClass_PicksOneMapPerImage()
    {
        using var maps = Maps();
        using var classes = tensor(new long[] { 1, 0 });
        using var selected = ExplanationMaps.SelectClass(maps, classes);

        selected.shape.Should().Equal(2, 1, 2);
        selected.flatten().data<float>().ToArray().Should().Equal(5, 2, 7, 7);
    }

    [Fact]
    public void Operations_RejectMapsOfTheWrongRank()
    {
        using var maps = zeros(2, 3, 4);
        var act = () => ExplanationMaps.NormalizeJointly(maps);
        act.Should().Throw<ArgumentException>().WithMessage("*[B, n, h, w]*[2, 3, 4]*");
    }
}
