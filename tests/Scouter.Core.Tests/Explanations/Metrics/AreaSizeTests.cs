using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class AreaSizeTests
{
    [Fact]
    public void Official_IsTheExplainedClasssEightBitAreaAfterJointNormalisation()
    {
        // Maps of classes 0 and 1: [1, 3] and [5, 2]; jointly normalised ×255 → [0, 127] and [255, 63].
        // Class 1: (255 + 63) / (1·2·255) = 0.6235294; class 0: 127 / 510 = 0.2490196.
        using var maps = tensor(new float[] { 1, 3, 5, 2, 1, 3, 5, 2 }).view(2, 2, 1, 2);
        using var classes = tensor(new long[] { 1, 0 });

        using var area = AreaSize.Official(maps, classes);

        area.shape.Should().Equal(2);
        area[0].item<float>().Should().BeApproximately(0.6235294f, 1e-6f);
        area[1].item<float>().Should().BeApproximately(0.2490196f, 1e-6f);
    }

    [Fact]
    public void Mean_IsTheAverageMapValue()
    {
        using var maps = tensor(new float[] { 0, 1, 0.5f, 0.5f, 1, 0 }).view(1, 2, 3); // sum 3 over 6 pixels
        using var area = AreaSize.Mean(maps);
        area.item<float>().Should().BeApproximately(0.5f, 1e-6f);
    }
}
