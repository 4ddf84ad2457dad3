using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class IsCamTests
{
    [Fact]
    public void Attribute_AveragesTheProbabilitiesOfTheAccumulatedMasks()
    {
        // N = 3: accumulated scales c_i = i(i+1)/6 = 1/3, 1, 2. The masked image c·x ⊙ M₀ has mean c/2 over R,
        // so w₀ = mean(sigmoid(4·c/2)) = mean(sigmoid(2/3), sigmoid(2), sigmoid(4)); w₁ = sigmoid(0) = 1/2.
        using var region = new RegionCase();
        using var method = IsCam.Create(region.Model, steps: 3, options: new SaliencyOptions { ForwardBatchSize = 5 });
        using var image = region.IndicatorImage();

        using var raw = method.Attribute(image, ExplanationTarget.Class(0));

        var w0 = (ScoreCamTests.Sigmoid(2.0 / 3) + ScoreCamTests.Sigmoid(2) + ScoreCamTests.Sigmoid(4)) / 3;
        using var expected = ScoreCamTests.Expected(w0);
        TensorAssert.Close(raw, expected, rtol: 1e-5, atol: 1e-6);
    }
}
