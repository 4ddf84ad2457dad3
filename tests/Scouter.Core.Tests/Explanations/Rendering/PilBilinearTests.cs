using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

public sealed class PilBilinearTests
{
    [Theory]
    [InlineData("up")]     // 2×3 → 5×7
    [InlineData("down")]   // 7×5 → 3×4, Pillow's antialiasing support
    [InlineData("mixed")]  // 4×6 → 9×4, taller and narrower
    public void Resize_ReproducesPillowBitForBit(string name)
    {
        using var input = RenderingFixture.Bytes($"resize.{name}.input");
        using var expected = RenderingFixture.Bytes($"resize.{name}.output");

        using var resized = PilBilinear.Resize(input, expected.shape[0], expected.shape[1]);

        resized.shape.Should().Equal(expected.shape);
        RenderingFixture.Array(resized).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Resize_WorksOnBatchesOfPlanes()
    {
        using var input = RenderingFixture.Bytes("resize.up.input");
        using var batch = stack([input, input]).unsqueeze(1); // [2, 1, 2, 3]
        using var expected = RenderingFixture.Bytes("resize.up.output");

        using var resized = PilBilinear.Resize(batch, 5, 7);

        resized.shape.Should().Equal(2, 1, 5, 7);
        RenderingFixture.Array(resized[1, 0]).Should().Equal(RenderingFixture.Array(expected));
    }

    [Fact]
    public void Resize_RejectsFloatInput()
    {
        using var input = zeros(2, 2);
        var act = () => PilBilinear.Resize(input, 3, 3);
        act.Should().Throw<ArgumentException>().WithMessage("*uint8*Float32*");
    }
}
