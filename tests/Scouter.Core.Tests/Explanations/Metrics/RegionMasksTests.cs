using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class RegionMasksTests
{
    [Fact]
    public void FromBoxes_ReadsXAlongTheWidthAndYAlongTheHeight()
    {
        // 4×6 image. Image 0: box x ∈ [0, 4], y ∈ [0, 2] → rows 0–1, columns 0–3 (a wide box on a wide image, so a
        // width/height swap would give rows 0–3, columns 0–1 instead). Image 1: a tall box x ∈ [5, 6], y ∈ [1, 4]
        // (column 5, rows 1–3) plus a padding row that covers nothing.
        using var boxes = tensor(new float[] { 0, 0, 4, 2, 0, 0, 0, 0, 5, 1, 6, 4, 0, 0, 0, 0 }).view(2, 2, 4);

        using var masks = RegionMasks.FromBoxes(boxes, 4, 6);

        masks.shape.Should().Equal(2, 4, 6);
        var expected0 = new[]
        {
            1, 1, 1, 1, 0, 0,
            1, 1, 1, 1, 0, 0,
            0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0,
        };
        var expected1 = new[]
        {
            0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 1,
            0, 0, 0, 0, 0, 1,
            0, 0, 0, 0, 0, 1,
        };
        masks[0].flatten().data<bool>().ToArray().Select(b => b ? 1 : 0).Should().Equal(expected0);
        masks[1].flatten().data<bool>().ToArray().Select(b => b ? 1 : 0).Should().Equal(expected1);
    }

    [Fact]
    public void FromBoxes_UsesPixelCentres_ForFractionalBoxes()
    {
        // x ∈ [0.6, 2.4]: centres 0.5 (out), 1.5 (in), 2.5 (out) → only column 1.
        using var boxes = tensor(new float[] { 0.6f, 0, 2.4f, 1 }).view(1, 1, 4);
        using var masks = RegionMasks.FromBoxes(boxes, 1, 3);
        masks.flatten().data<bool>().ToArray().Should().Equal(false, true, false);
    }

    [Fact]
    public void FromBoxes_RejectsBoxesWithoutFourCoordinates()
    {
        using var boxes = zeros(1, 2, 5);
        var act = () => RegionMasks.FromBoxes(boxes, 4, 4);
        act.Should().Throw<ArgumentException>().WithMessage("*[B, K, 4]*[1, 2, 5]*");
    }
}
