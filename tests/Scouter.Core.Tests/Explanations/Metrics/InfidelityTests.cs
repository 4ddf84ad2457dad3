using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class InfidelityTests
{
    // Linear scorer f(x) = Σ w ⊙ x with w = [[1, 2], [3, 4]], scored on the raw logit, so f(x) − f(x − I) = Σ w ⊙ I.
    // Two perturbations I₁ = [[1, 0], [0, 0]], I₂ = [[0, 1], [1, 0]]: Δf = (1, 5).
    private static LinearScoreModel Model() => new(tensor(new float[] { 1, 2, 3, 4 }).view(1, 1, 2, 2));

    private static Tensor Perturbations() => tensor(new float[] { 1, 0, 0, 0, 0, 1, 1, 0 }).view(1, 2, 1, 2, 2);

    private static double Infid(float[] phi, bool scaling)
    {
        using var model = Model();
        using var image = rand(1, 1, 2, 2);
        using var map = tensor(phi).view(1, 2, 2);
        using var perturbations = Perturbations();
        using var value = Infidelity.Compute(model, image, map, ExplanationTarget.Class(0), perturbations, optimalScaling: scaling, probabilities: false);
        return value.item<double>();
    }

    [Fact]
    public void Compute_IsZeroForTheTrueLinearAttribution()
    {
        Infid([1, 2, 3, 4], scaling: false).Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void Compute_WithoutScaling_AveragesTheSquaredPredictionErrors()
    {
        // φ = 2w: Iᵀφ = (2, 10); errors (1 − 2)² and (5 − 10)² → (1 + 25) / 2 = 13.
        Infid([2, 4, 6, 8], scaling: false).Should().BeApproximately(13, 1e-5);
        // φ = [[0, 1], [0, 0]]: Iᵀφ = (0, 1); (1 − 0)² and (5 − 1)² → 17 / 2 = 8.5.
        Infid([0, 1, 0, 0], scaling: false).Should().BeApproximately(8.5, 1e-5);
    }

    [Fact]
    public void Compute_WithOptimalScaling_FirstRescalesTheMap()
    {
        // φ = 2w: β = mean(Δf·Iᵀφ) / mean((Iᵀφ)²) = (2 + 50) / (4 + 100) = 1/2 → exact → 0.
        Infid([2, 4, 6, 8], scaling: true).Should().BeApproximately(0, 1e-9);
        // φ = [[0, 1], [0, 0]]: β = (0 + 5) / (0 + 1) = 5 → βIᵀφ = (0, 5); errors 1 and 0 → 0.5.
        Infid([0, 1, 0, 0], scaling: true).Should().BeApproximately(0.5, 1e-5);
    }

    [Fact]
    public void Compute_SumsThePerturbationOverChannels()
    {
        // Three channels, w = 1 everywhere; I = 1 on channel 2 at pixel 0 only: Δf = 1, Iᵀφ = φ₀ = 3 → (1 − 3)² = 4.
        using var model = new LinearScoreModel(ones(1, 3, 1, 2));
        using var image = rand(1, 3, 1, 2);
        using var map = tensor(new float[] { 3, 0 }).view(1, 1, 2);
        using var perturbation = zeros([1, 1, 3, 1, 2]);
        perturbation[0, 0, 2, 0, 0] = tensor(1f);

        using var value = Infidelity.Compute(model, image, map, ExplanationTarget.Class(0), perturbation, optimalScaling: false, probabilities: false);

        // Δf is a float32 difference of sums of random pixels: a few ulps of 2, times d(1 − 3)²/dΔf = 4.
        value.item<double>().Should().BeApproximately(4, 1e-5);
    }

    [Fact]
    public void Compute_WithRandomPerturbations_IsReproducibleAndIndependentOfTheForwardBatchSize()
    {
        using var model = Model();
        using var images = rand(2, 1, 2, 2);
        using var maps = rand(2, 2, 2);
        var target = ExplanationTarget.Class(0, 0);

        using var a = Infidelity.Compute(model, images, maps, target, samples: 7, seed: 3, forwardBatchSize: 2);
        using var b = Infidelity.Compute(model, images, maps, target, samples: 7, seed: 3, forwardBatchSize: 64);
        using var c = Infidelity.Compute(model, images, maps, target, samples: 7, seed: 4);

        a.shape.Should().Equal(2);
        a.data<double>().ToArray().Should().Equal(b.data<double>().ToArray());
        a.data<double>().ToArray().Should().NotEqual(c.data<double>().ToArray());
    }
}
