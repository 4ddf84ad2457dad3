using Scouter.Core.Data.Datasets;

namespace Scouter.Core.Tests.Data;

public sealed class BoundingBoxTests
{
    [Fact]
    public void Scale_MapsOriginalPixelsToTheResizedImage()
    {
        // 400×200 → 100×100: x by ¼, y by ½.
        new BoundingBox(10, 20, 210, 120).Scale(400, 200, 100, 100).Should().Be(new BoundingBox(2.5, 10, 52.5, 60));
    }
}
