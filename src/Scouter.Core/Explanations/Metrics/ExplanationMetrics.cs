namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// The metrics <see cref="ExplanationEvaluator"/> computes. Accuracy and area size are always computed (they come
/// from the forward pass); the others cost extra model calls and can be left out to evaluate faster. A metric left
/// out is NaN (null for the ground-truth metrics) in <see cref="MethodMetrics"/>.
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

    /// <summary>
    /// Class-specific precision: for every class present in an image (<see cref="EvaluationBatch.ClassRegions"/>),
    /// the share of that class's map inside that class's region. No model call for SCOUTER; baselines explain the
    /// present classes other than the explained one.
    /// </summary>
    ClassPrecision = 64,

    /// <summary>Class-specific pointing game: whether the maximum of class c's map hits class c's region, for every present class.</summary>
    ClassPointingGame = 128,

    /// <summary>Every metric of the paper's table, the pointing game and their class-specific forms.</summary>
    All = Precision | PointingGame | Insertion | Deletion | Infidelity | MaxSensitivity | ClassPrecision | ClassPointingGame,
}
