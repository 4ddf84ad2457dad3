using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// "Why not class c": the score is the negated class output and the probability <c>1 − p_c</c>. The question
/// SCOUTER− answers; for gradient methods this is the counterfactual explanation of Selvaraju et al. (Grad-CAM,
/// ICCV 2017, §5), whose gradients are those of the class score negated.
/// </summary>
public sealed class NotClassTarget : ClassIndexTarget
{
    /// <summary>Creates the target.</summary>
    /// <param name="classes">One class index per image.</param>
    public NotClassTarget(IReadOnlyList<long> classes) : base(classes)
    {
    }

    /// <inheritdoc />
    public override Tensor Score(Tensor outputs, Tensor rows)
    {
        using var scope = NewDisposeScope();
        return PickClass(outputs, rows).neg().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Probability(Tensor outputs, Tensor rows)
    {
        using var scope = NewDisposeScope();
        return PickClass(nn.functional.softmax(outputs, 1), rows).neg().add_(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor OutputWeights(long numOutputs, Device device)
    {
        using var scope = NewDisposeScope();
        return OneHot(numOutputs, device).neg().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override ExplanationTarget Slice(int start, int count) => new NotClassTarget(SliceClasses(start, count));

    /// <inheritdoc />
    public override ExplanationTarget Select(IReadOnlyList<int> images) => new NotClassTarget(SelectClasses(images));
}
