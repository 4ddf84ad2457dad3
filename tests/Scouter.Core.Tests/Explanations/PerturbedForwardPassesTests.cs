using Scouter.Core.Explanations;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class PerturbedForwardPassesTests
{
    [Fact]
    public void ScoreMasked_BlendsImageAndBaselineByTheMask_ForEveryImageAndMask()
    {
        // p = mean of the input. Image b is the constant b+1 scaled by 1/4, the baseline is 0.1 everywhere; mask k keeps
        // a fraction k/4 of the 2×2 pixels. Expected mean: f·x + (1 − f)·0.1.
        using var model = new MeanProbabilityModel();
        using var images = tensor(new float[] { 0.25f, 0.5f }).view(2, 1, 1, 1).expand(2, 1, 2, 2).contiguous();
        using var baseline = full(2, 1, 2, 2, 0.1f);
        using var masks = tensor(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1 }).view(4, 1, 2, 2);

        using var scores = PerturbedForwardPasses.ScoreMasked(model, images, baseline, 4, (_, m) => masks.index_select(0, m), ExplanationTarget.Class(0, 0), forwardBatchSize: 3);

        var expected = new double[2, 4];
        for (var b = 0; b < 2; b++)
        {
            for (var k = 0; k < 4; k++)
            {
                var f = new[] { 0, 0.25, 0.5, 1 }[k];
                expected[b, k] = f * (b + 1) / 4.0 + (1 - f) * 0.1;
            }
        }

        using var want = tensor(expected);
        TensorAssert.Close(scores, want, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void ScoreMasked_RejectsMasksOfTheWrongSize()
    {
        using var model = new MeanProbabilityModel();
        using var images = rand(1, 3, 4, 5);

        var act = () => PerturbedForwardPasses.ScoreMasked(model, images, null, 2, (i, _) => ones(i.shape[0], 1, 5, 4), ExplanationTarget.Class(0), 8);

        act.Should().Throw<ArgumentException>().WithMessage("*masks [N = 2, 1 or 3, 4, 5]*[2, 1, 5, 4]*");
    }
}
