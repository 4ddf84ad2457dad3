using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Metrics;

/// <summary>Ground-truth regions as boolean masks <c>[B, H, W]</c>, built from bounding boxes.</summary>
public static class RegionMasks
{
    /// <summary>
    /// The union of each image's boxes. Boxes are <c>(x1, y1, x2, y2)</c> in pixel-edge coordinates of the model
    /// input (x along the width, y along the height); pixel (row r, column c) belongs to a box when its centre
    /// <c>(c + 0.5, r + 0.5)</c> lies in <c>[x1, x2] × [y1, y2]</c>. A CUB box <c>(x, y, w, h)</c> is
    /// <c>(x, y, x + w, y + h)</c>. Padding rows with <c>x2 ≤ x1</c> or <c>y2 ≤ y1</c> cover nothing.
    /// </summary>
    /// <param name="boxes">Boxes <c>[B, K, 4]</c>.</param>
    /// <param name="height">Image height <c>H</c>.</param>
    /// <param name="width">Image width <c>W</c>.</param>
    /// <returns>Masks <c>[B, H, W]</c>, bool.</returns>
    public static Tensor FromBoxes(Tensor boxes, long height, long width)
    {
        TensorChecks.Rank(boxes, 3, nameof(RegionMasks), "boxes [B, K, 4] as (x1, y1, x2, y2)", nameof(boxes));
        if (boxes.shape[2] != 4)
        {
            throw new ArgumentException($"{nameof(RegionMasks)} expects boxes [B, K, 4] as (x1, y1, x2, y2); got {TensorChecks.Describe(boxes)}.", nameof(boxes));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using var scope = NewDisposeScope();
        var b = boxes.to(ScalarType.Float64);
        var x1 = b.select(2, 0).view(b.shape[0], -1, 1, 1);
        var y1 = b.select(2, 1).view(b.shape[0], -1, 1, 1);
        var x2 = b.select(2, 2).view(b.shape[0], -1, 1, 1);
        var y2 = b.select(2, 3).view(b.shape[0], -1, 1, 1);
        using var scalars = new ScalarScope();
        var half = scalars.Of(0.5); // pixel centres
        var rows = scalars.Range(height, ScalarType.Float64, boxes.device).Plus(half).view(1, 1, -1, 1);
        var cols = scalars.Range(width, ScalarType.Float64, boxes.device).Plus(half).view(1, 1, 1, -1);
        var inside = rows.ge(y1).logical_and(rows.le(y2)).logical_and(cols.ge(x1)).logical_and(cols.le(x2));
        return inside.any(1).MoveToOuterDisposeScope();
    }
}
