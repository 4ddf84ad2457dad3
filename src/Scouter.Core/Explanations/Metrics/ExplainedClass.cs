namespace Scouter.Core.Explanations.Metrics;

/// <summary>Which class of each image the evaluator explains.</summary>
public enum ExplainedClass
{
    /// <summary>The ground-truth label (the paper's choice for positive explanations).</summary>
    Label,

    /// <summary>The model's most likely class.</summary>
    Predicted,

    /// <summary>The model's least likely class (the default "not" class for SCOUTER−).</summary>
    LeastLikely,
}
