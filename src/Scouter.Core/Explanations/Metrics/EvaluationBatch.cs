using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>
/// One batch for <see cref="ExplanationEvaluator"/>. The evaluator only reads the tensors; they stay the caller's.
/// </summary>
/// <param name="Images">Model inputs <c>[B, C, H, W]</c>, normalised as the model expects.</param>
/// <param name="Labels">Ground-truth classes <c>[B]</c>, integer.</param>
/// <param name="Boxes">Ground-truth boxes <c>[B, K, 4]</c> as <c>(x1, y1, x2, y2)</c> in input pixels (see
/// <see cref="RegionMasks.FromBoxes"/>); null when there are none.</param>
/// <param name="Masks">Ground-truth masks <c>[B, H, W]</c>; used instead of the boxes when given.</param>
/// <param name="ClassRegions">Ground truth of every class present in each image, for the class-specific metrics
/// (<see cref="ExplanationMetrics.ClassPrecision"/>, <see cref="ExplanationMetrics.ClassPointingGame"/>); null when
/// there is none.</param>
public sealed record EvaluationBatch(Tensor Images, Tensor Labels, Tensor? Boxes = null, Tensor? Masks = null, ClassRegions? ClassRegions = null);
