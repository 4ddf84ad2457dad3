using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Tests;

/// <summary>Compares ONNX Runtime's outputs with TorchSharp's.</summary>
internal static class TensorCompare
{
    /// <summary>
    /// Asserts equal shapes and <c>max |actual − expected| ≤ tolerance · max(max |expected|, 1e-3)</c>: relative to the
    /// tensor's scale, so values near zero (log-probabilities of confident classes, unattended positions) are not
    /// held to a tighter bound than the large ones beside them.
    /// </summary>
    public static void ShouldMatch(Tensor actual, Tensor expected, string what, double tolerance = 1e-4)
    {
        actual.shape.Should().Equal(expected.shape, what);
        var scale = Math.Max(expected.abs().max().item<float>(), 1e-3);
        var difference = (actual - expected).abs().max().item<float>();
        difference.Should().BeLessThanOrEqualTo((float)(tolerance * scale), $"{what}: max |ONNX Runtime − TorchSharp| relative to max |TorchSharp| = {scale}");
    }
}
