using static TorchSharp.torch;

namespace Scouter.Core.Tests.Support;

public static class TensorAssert
{
    /// <summary>
    /// Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (numpy.allclose), after checking shapes.
    /// </summary>
    /// <summary>True when both tensors have the same shape and bit-identical values (NaN never equals).</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    public static void Close(Tensor actual, Tensor expected, double rtol = 1e-4, double atol = 1e-6, string because = "")
    {
        actual.shape.Should().Equal(expected.shape, because);
        using var a = actual.detach().to(ScalarType.Float64).cpu();
        using var e = expected.detach().to(ScalarType.Float64).cpu();
        using var diff = (a - e).abs();
        using var tolerance = e.abs() * rtol + atol;
        using var bad = diff.gt(tolerance);
        if (bad.any().item<bool>())
        {
            using var worst = (diff - tolerance).argmax();
            var i = worst.item<long>();
            var flatA = a.flatten();
            var flatE = e.flatten();
            throw new Xunit.Sdk.XunitException(
                $"Tensors differ {because}: {bad.sum().item<long>()} of {e.numel()} elements out of tolerance (rtol {rtol}, atol {atol}); " +
                $"worst at flat index {i}: actual {flatA[i].item<double>():R}, expected {flatE[i].item<double>():R}.");
        }
    }
}
