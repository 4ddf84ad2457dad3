using Scouter.Core.Internal;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>Which classes of each image to explain, from the model's scores.</summary>
public static class ClassSelection
{
    /// <summary>The <paramref name="k"/> most likely classes of each image, most likely first.</summary>
    /// <param name="scores">Class scores <c>[B, n]</c>.</param>
    /// <param name="k">Classes per image, <c>1 ≤ k ≤ n</c>.</param>
    /// <returns>Class indices <c>[B, k]</c>, int64.</returns>
    public static Tensor MostLikely(Tensor scores, int k = 1) => Top(scores, k, largest: true);

    /// <summary>
    /// The <paramref name="k"/> least likely classes of each image, least likely first: the default "not" classes whose
    /// SCOUTER− maps explain why the image is not of that class.
    /// </summary>
    /// <param name="scores">Class scores <c>[B, n]</c>.</param>
    /// <param name="k">Classes per image.</param>
    /// <returns>Class indices <c>[B, k]</c>, int64.</returns>
    public static Tensor LeastLikely(Tensor scores, int k = 1) => Top(scores, k, largest: false);

    /// <summary>The classes whose maps answer a polarity's question best: most likely for SCOUTER+, least likely for SCOUTER−.</summary>
    /// <param name="scores">Class scores <c>[B, n]</c>.</param>
    /// <param name="k">Classes per image.</param>
    /// <param name="polarity">The model's polarity.</param>
    /// <returns>Class indices <c>[B, k]</c>, int64.</returns>
    public static Tensor ForPolarity(Tensor scores, int k, ScouterPolarity polarity) =>
        polarity == ScouterPolarity.Negative ? LeastLikely(scores, k) : MostLikely(scores, k);

    private static Tensor Top(Tensor scores, int k, bool largest)
    {
        TensorChecks.Rank(scores, 2, nameof(ClassSelection), "class scores [B, n]", nameof(scores));
        if (k < 1 || k > scores.shape[1])
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Between 1 and the number of classes ({scores.shape[1]}) can be selected.");
        }

        var (values, indices) = scores.topk(k, 1, largest, sorted: true);
        values.Dispose();
        return indices;
    }
}
