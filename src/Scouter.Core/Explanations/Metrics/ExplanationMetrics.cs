namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// The metrics <see cref="ExplanationEvaluator"/> computes. Accuracy and area size are always computed (they come
/// from the forward pass); the others cost extra model calls and can be left out to evaluate faster. A metric left
/// out is NaN (null for <see cref="Precision"/> and <see cref="PointingGame"/>) in <see cref="MethodMetrics"/>.
/// </summary>
[Flags]
public enum ExplanationMetrics
{
    /// <summary>Only accuracy and area size.</summary>
    None = 0,

    /// <summary>Share of the map inside the ground-truth boxes or masks (needs ground truth; no model call).</summary>
    Precision = 1,

    /// <summary>Pointing-game hit rate (needs ground truth; no model call).</summary>
    PointingGame = 2,

    /// <summary>Insertion AUC: one model call per insertion step.</summary>
    Insertion = 4,

    /// <summary>Deletion AUC: one model call per deletion step.</summary>
    Deletion = 8,

    /// <summary>Infidelity: two model calls per Gaussian perturbation.</summary>
    Infidelity = 16,

    /// <summary>Max-sensitivity: one re-explanation per uniform perturbation.</summary>
    MaxSensitivity = 32,

    /// <summary>Every metric of the paper's table and the pointing game.</summary>
    All = Precision | PointingGame | Insertion | Deletion | Infidelity | MaxSensitivity,
}
