using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class InsertionDeletionTests
{
    // A 2×3 image (6 pixels) whose class-0 probability is its mean (MeanProbabilityModel):
    //   x = [[0.6, 0, 0.3], [0, 0.9, 0]], total 1.8.
    // Saliency [[3, 1, 2], [0, 5, 4]] orders the pixels (1,1), (1,2), (0,0), (0,2), (0,1), (1,0).
    private static Tensor Image() => tensor(new float[] { 0.6f, 0, 0.3f, 0, 0.9f, 0 }).view(1, 1, 2, 3);

    private static Tensor Saliency() => tensor(new float[] { 3, 1, 2, 0, 5, 4 }).view(1, 2, 3);

    [Fact]
    public void Insertion_RecordsTheStartAndEveryStep_AndIntegratesOverTheTrueFraction()
    {
        // Step 4 of 6 pixels: ⌈6/4⌉ = 2 steps, 3 points. Inserted after step 1: (1,1), (1,2), (0,0), (0,2) → 1.8/6 = 0.3;
        // after step 2 everything → 0.3. Curve [0, 0.3, 0.3] at fractions [0, 4/6, 1].
        // AUC = (0 + 0.3)/2 · 2/3 + (0.3 + 0.3)/2 · 1/3 = 0.1 + 0.1 = 0.2 (evenly spaced points would give 0.225).
        using var model = new MeanProbabilityModel();
        using var image = Image();
        using var maps = Saliency();
        using var start = zeros_like(image);

        using var result = InsertionDeletion.Insertion(model, image, maps, ExplanationTarget.Class(0), start, stepPixels: 4);

        TensorAssert.Close(result.Scores, tensor(new[] { 0, 0.3, 0.3 }).view(1, 3), rtol: 1e-5, atol: 1e-6);
        TensorAssert.Close(result.Fractions, tensor(new[] { 0, 4.0 / 6, 1 }), rtol: 0, atol: 1e-12);
        result.Auc.item<double>().Should().BeApproximately(0.2, 1e-6);
    }

    [Fact]
    public void Deletion_RemovesTheMostSalientPixelsFirst_OneRowOfPixelsPerStepByDefault()
    {
        // Default step = width = 3: deleting (1,1), (1,2), (0,0) leaves 0.3 → 0.05; then everything → 0.
        // Curve [0.3, 0.05, 0] at [0, 0.5, 1]: AUC = (0.3 + 0.05)/2 · 0.5 + (0.05 + 0)/2 · 0.5 = 0.1.
        using var model = new MeanProbabilityModel();
        using var image = Image();
        using var maps = Saliency();

        using var result = InsertionDeletion.Deletion(model, image, maps, ExplanationTarget.Class(0));

        TensorAssert.Close(result.Scores, tensor(new[] { 0.3, 0.05, 0 }).view(1, 3), rtol: 1e-5, atol: 1e-6);
        result.Auc.item<double>().Should().BeApproximately(0.1, 1e-6);
    }

    [Fact]
    public void Deletion_RanksEachImageByItsOwnMap_AndBreaksTiesInRowMajorOrder()
    {
        // Image 1 has a constant map: ties keep row-major order, so step 1 (3 pixels) deletes row 0: 0.6 + 0 + 0.3
        // → remaining 0.9 / 6 = 0.15.
        using var model = new MeanProbabilityModel();
        using var images = cat([Image(), Image()]);
        using var maps = cat([Saliency(), ones(1, 2, 3)]);

        using var result = InsertionDeletion.Deletion(model, images, maps, ExplanationTarget.Class(0, 0));

        TensorAssert.Close(result.Scores, tensor(new[] { 0.3, 0.05, 0, 0.3, 0.15, 0 }).view(2, 3), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Insertion_StartsByDefaultFromRisesBlurredImage()
    {
        using var model = new MeanProbabilityModel();
        using var image = Image();
        using var maps = Saliency();
        using var blurred = GaussianBlur.Apply(image, 5, 11);
        using var expected = blurred.mean();

        using var result = InsertionDeletion.Insertion(model, image, maps, ExplanationTarget.Class(0));

        result.Scores[0, 0].item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);
        result.Scores[0, -1].item<float>().Should().BeApproximately(0.3f, 1e-6f);
    }

    [Fact]
    public void Auc_OfTheDiagonal_IsOneHalf()
    {
        using var scores = tensor(new[] { 0, 0.25, 1 }).view(1, 3);
        using var fractions = tensor(new[] { 0, 0.25, 1 });
        using var auc = InsertionDeletion.Auc(scores, fractions);
        auc.item<double>().Should().BeApproximately(0.5, 1e-12);
    }

    [Fact]
    public void Insertion_RejectsMapsAtAnotherSize()
    {
        using var model = new MeanProbabilityModel();
        using var image = Image();
        using var maps = ones(1, 3, 2);
        var act = () => InsertionDeletion.Insertion(model, image, maps, ExplanationTarget.Class(0));
        act.Should().Throw<ArgumentException>().WithMessage("*[B = 1, H = 2, W = 3]*[1, 3, 2]*Upsample*");
    }
}
