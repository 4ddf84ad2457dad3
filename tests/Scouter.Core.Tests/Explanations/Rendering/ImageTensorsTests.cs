using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ImageTensorsTests
{
    [Fact]
    public void ToUInt8_UndoesTheNormalisationAndTruncates()
    {
        // Channel 0 holds (0.5 − 0.485)/0.229 → 0.5 → 127.5 → 127; channel 1 holds a value above 1 after undoing → 255.
        using var images = tensor(new float[] { (0.5f - 0.485f) / 0.229f, 10, 0 }).view(1, 3, 1, 1);

        using var bytes = ImageTensors.ToUInt8(images, ImageTensors.ImageNetMean, ImageTensors.ImageNetStd);

        RenderingFixture.Array(bytes).Should().Equal(127, 255, (byte)(0.406f * 255));
    }

    [Fact]
    public void ToRgb_RepeatsTheGreyChannel()
    {
        using var gray = tensor(new byte[] { 7, 9 }).view(1, 1, 1, 2);
        using var rgb = ImageTensors.ToRgb(gray);
        RenderingFixture.Array(rgb).Should().Equal(7, 9, 7, 9, 7, 9);
    }

    [Fact]
    public void ToUInt8_RejectsAMismatchedNormalisation()
    {
        using var images = zeros(1, 1, 2, 2);
        var act = () => ImageTensors.ToUInt8(images, ImageTensors.ImageNetMean, ImageTensors.ImageNetStd);
        act.Should().Throw<ArgumentException>().WithMessage("*3 means*1 channels*");
    }
}
