using Scouter.Core.Modules;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class SinePositionEmbeddingTests
{
    [Fact]
    public void Compute_GivesHandComputedValues_ForEightChannelsOnTwoByOne()
    {
        // d = 8 → m = 4 features per axis; dim_t = 10000^(2·⌊k/2⌋/4) = [1, 1, 100, 100].
        // h = 2: y = [1, 2] / (2 + 1e-6) · 2π ≈ [π, 2π]; w = 1: x = 1 / (1 + 1e-6) · 2π ≈ 2π.
        // Row channels (0..3) at row 0: sin(π) ≈ 0, cos(π) = −1, sin(π/100) = 0.0314107, cos(π/100) = 0.9995066.
        // Row channels at row 1: sin(2π) ≈ 0, cos(2π) = 1, sin(2π/100) = 0.0627905, cos(2π/100) = 0.9980267.
        // Column channels (4..7), the same for both rows: sin(2π) ≈ 0, 1, 0.0627905, 0.9980267.
        using var embedding = new SinePositionEmbedding(8);
        using var actual = embedding.Compute(2, 1);
        using var expected = tensor(new float[]
        {
            0f, 0f,
            -1f, 1f,
            0.0314107f, 0.0627905f,
            0.9995066f, 0.9980267f,
            0f, 0f,
            1f, 1f,
            0.0627905f, 0.0627905f,
            0.9980267f, 0.9980267f,
        }).reshape(1, 8, 2, 1);

        TensorAssert.Close(actual, expected, rtol: 1e-5, atol: 2e-5);
    }

    [Fact]
    public void Forward_FollowsTheFeatureMapsSizeDeviceAndDtype()
    {
        using var embedding = new SinePositionEmbedding(6);
        using var map = zeros(3, 6, 5, 7, dtype: ScalarType.Float64);
        using var result = embedding.call(map);

        result.shape.Should().Equal(1, 6, 5, 7);
        result.dtype.Should().Be(ScalarType.Float64);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(63)]
    public void Constructor_RejectsOddOrTooSmallChannelCounts(int hiddenDim)
    {
        var act = () => new SinePositionEmbedding(hiddenDim);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*even channel count*");
    }

    [Fact]
    public void Forward_RejectsAMapWithADifferentChannelCount()
    {
        using var embedding = new SinePositionEmbedding(8);
        using var map = zeros(1, 6, 3, 3);
        var act = () => embedding.call(map);
        act.Should().Throw<ArgumentException>().WithMessage("*d = 8*[1, 6, 3, 3]*");
    }

    [Fact]
    public void Module_HasNoParametersOrBuffers()
    {
        using var embedding = new SinePositionEmbedding(64);
        embedding.state_dict().Should().BeEmpty();
    }
}
