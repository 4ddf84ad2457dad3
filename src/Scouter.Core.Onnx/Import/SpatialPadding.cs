namespace Scouter.Core.Onnx.Import;

/// <summary>
/// ONNX padding of a 2-D operator: explicit <c>pads = [top, left, bottom, right]</c>, or <c>auto_pad</c> SAME_UPPER /
/// SAME_LOWER, which depend on the input size and are resolved per call.
/// </summary>
internal sealed record SpatialPadding(long Top, long Left, long Bottom, long Right, string AutoPad)
{
    public static SpatialPadding From(NodeAttributes attributes)
    {
        var autoPad = attributes.Text("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
        {
            throw new NotSupportedException($"{attributes.Describe()} has auto_pad '{autoPad}'.");
        }

        var pads = autoPad == "NOTSET" ? attributes.Ints("pads") ?? [0, 0, 0, 0] : [0, 0, 0, 0];
        if (pads.Length != 4)
        {
            throw new NotSupportedException($"{attributes.Describe()} has pads [{string.Join(", ", pads)}]; the importer takes 2-D operators (four pads).");
        }

        return new SpatialPadding(pads[0], pads[1], pads[2], pads[3], autoPad);
    }

    /// <summary>The pads for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public (long Top, long Left, long Bottom, long Right) Resolve(long height, long width, long[] kernel, long[] stride, long[] dilation)
    {
        if (AutoPad is not ("SAME_UPPER" or "SAME_LOWER"))
        {
            return (Top, Left, Bottom, Right);
        }

        long Total(long size, int axis)
        {
            var output = (size + stride[axis] - 1) / stride[axis];
            return Math.Max(0, (output - 1) * stride[axis] + (kernel[axis] - 1) * dilation[axis] + 1 - size);
        }

        long th = Total(height, 0), tw = Total(width, 1);
        return AutoPad == "SAME_UPPER" ? (th / 2, tw / 2, th - th / 2, tw - tw / 2) : (th - th / 2, tw - tw / 2, th / 2, tw / 2);
    }

    /// <summary>Whether the pads are fixed and equal on both sides of each axis, so a PyTorch operator's own padding does.</summary>
    public bool IsSymmetric => AutoPad is "NOTSET" or "VALID" && Top == Bottom && Left == Right;
}
