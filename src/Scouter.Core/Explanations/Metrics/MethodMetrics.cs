namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// One row of the metric table: the means over all evaluated images of one explanation method. Metrics whose
/// ground truth was missing are null; an image whose value is undefined (NaN) is left out of that mean.
/// </summary>
/// <param name="Method">The explanation method, e.g. <c>SCOUTER+</c> or <c>Grad-CAM</c>.</param>
/// <param name="Question">What the maps explain: <c>why</c> or <c>why not</c> the explained class.</param>
/// <param name="Images">Number of images evaluated.</param>
/// <param name="Accuracy">Top-1 accuracy of the explained model on them.</param>
/// <param name="AreaSize">Area size (lower is more focused): the official 8-bit area for SCOUTER, the mean map value for baselines.</param>
/// <param name="Precision">Share of the map inside the ground truth (higher is better); null without ground truth.</param>
/// <param name="PointingGame">Pointing-game hit rate (higher is better); null without ground truth.</param>
/// <param name="InsertionAuc">Insertion AUC, IAUC (higher is better).</param>
/// <param name="DeletionAuc">Deletion AUC, DAUC (lower is better).</param>
/// <param name="Infidelity">Infidelity (lower is better).</param>
/// <param name="MaxSensitivity">Max-sensitivity (lower is better).</param>
/// <param name="ClassPrecision">Class-specific precision (higher is better): the mean over every (image, present class)
/// pair of the share of that class's map inside that class's region; null without per-class ground truth, and for
/// "why not" explanations.</param>
/// <param name="ClassPointingGame">Class-specific pointing game (higher is better), over the same pairs.</param>
/// <param name="ClassPairs">The (image, present class) pairs scored.</param>
public sealed record MethodMetrics(
    string Method,
    string Question,
    int Images,
    double Accuracy,
    double AreaSize,
    double? Precision,
    double? PointingGame,
    double InsertionAuc,
    double DeletionAuc,
    double Infidelity,
    double MaxSensitivity,
    double? ClassPrecision = null,
    double? ClassPointingGame = null,
    long ClassPairs = 0);
