using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class ImageGridTests
{
    [Fact]
    public void Compose_PlacesTilesRowByRowWithBorders()
    {
        // 2 rows × 3 columns of 1×2 greyscale tiles valued 10·(r+1) + c, border 1 of value 255:
        // height 2·1 + 3 = 5, width 3·2 + 4 = 10.
        var values = new byte[2 * 3 * 2];
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                values[(r * 3 + c) * 2] = values[(r * 3 + c) * 2 + 1] = (byte)(10 * (r + 1) + c);
            }
        }

        using var tiles = tensor(values).view(2, 3, 1, 1, 2);

        using var grid = ImageGrid.Compose(tiles, padding: 1);

        grid.shape.Should().Equal(1, 5, 10);
        RenderingFixture.Array(grid[0, 1]).Should().Equal(255, 10, 10, 255, 11, 11, 255, 12, 12, 255);
        RenderingFixture.Array(grid[0, 3]).Should().Equal(255, 20, 20, 255, 21, 21, 255, 22, 22, 255);
        RenderingFixture.Array(grid[0, 0]).Should().OnlyContain(v => v == 255);
        RenderingFixture.Array(grid[0, 4]).Should().OnlyContain(v => v == 255);
    }
}
