using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// "Why class c": the score is the class's output (logit) and the probability its softmax probability. The
/// question SCOUTER+ answers, and the usual target of CAM-style methods.
/// </summary>
public sealed class ClassTarget : ClassIndexTarget
{
    /// <summary>Creates the target.</summary>
    /// <param name="classes">One class index per image.</param>
    public ClassTarget(IReadOnlyList<long> classes) : base(classes)
    {
    }

    /// <inheritdoc />
    public override Tensor Score(Tensor outputs, Tensor rows) => PickClass(outputs, rows);

    /// <inheritdoc />
    public override Tensor Probability(Tensor outputs, Tensor rows)
    {
        using var scope = NewDisposeScope();
        return PickClass(nn.functional.softmax(outputs, 1), rows).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor OutputWeights(long numOutputs, Device device) => OneHot(numOutputs, device);

    /// <inheritdoc />
    public override ExplanationTarget Slice(int start, int count) => new ClassTarget(SliceClasses(start, count));

    /// <inheritdoc />
    public override ExplanationTarget Select(IReadOnlyList<int> images) => new ClassTarget(SelectClasses(images));
}
