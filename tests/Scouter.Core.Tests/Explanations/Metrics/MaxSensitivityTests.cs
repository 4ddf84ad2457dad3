using Scouter.Core.Explanations.Metrics;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Metrics;

public sealed class MaxSensitivityTests
{
    // The identity explanation φ(x) = x[:, 0] makes ‖φ(x + δ) − φ(x)‖ = ‖δ‖.
    private static Tensor Identity(Tensor images) => images.select(1, 0).clone();

    [Fact]
    public void Compute_DividesTheLargestChangeByTheNormOnce()
    {
        // x = [3, 4] (‖φ‖ = 5); δ₁ = [3, 0] (‖δ₁‖ = 3), δ₂ = [0, 1]. Max-sensitivity = 3 / 5 = 0.6.
        // Normalising inside the loop, as the reference code does, would give max(3/5, 1)/5 = 0.2.
        using var image = tensor(new float[] { 3, 4 }).view(1, 1, 1, 2);
        using var perturbations = tensor(new float[] { 3, 0, 0, 1 }).view(1, 2, 1, 1, 2);

        using var value = MaxSensitivity.Compute(Identity, image, null, perturbations);

        value.item<double>().Should().BeApproximately(0.6, 1e-9);
    }

    [Fact]
    public void Compute_WithRandomNoise_StaysWithinTheRadius_AndIsReproducible()
    {
        // Each |δ| ≤ r = 0.2 on 4 elements: ‖δ‖ ≤ 0.4; with ‖x‖ = 2 the value is at most 0.2.
        using var image = ones(1, 1, 2, 2);
        using var a = MaxSensitivity.Compute(Identity, image, samples: 5, radius: 0.2, seed: 1);
        using var b = MaxSensitivity.Compute(Identity, image, samples: 5, radius: 0.2, seed: 1);

        var value = a.item<double>();
        value.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(0.2);
        b.item<double>().Should().Be(value);
    }

    [Fact]
    public void Compute_IsNaNForAnAllZeroExplanation()
    {
        // Undefined whether or not the perturbed explanation moves (0/0 and x/0 alike), so the evaluator can leave it out.
        using var image = zeros(1, 1, 1, 2);
        using var still = zeros([1, 1, 1, 1, 2]);
        using var moved = ones([1, 1, 1, 1, 2]);
        using var a = MaxSensitivity.Compute(Identity, image, null, still);
        using var b = MaxSensitivity.Compute(Identity, image, null, moved);
        double.IsNaN(a.item<double>()).Should().BeTrue();
        double.IsNaN(b.item<double>()).Should().BeTrue();
    }
}
