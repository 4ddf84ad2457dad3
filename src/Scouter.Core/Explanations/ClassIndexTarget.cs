using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// Shared part of the targets that name one class per image: validation, slicing and picking the class's output.
/// </summary>
public abstract class ClassIndexTarget : ExplanationTarget
{
    private readonly long[] classes;

    /// <summary>Stores a copy of the class indices.</summary>
    /// <param name="classes">One class index per image, each ≥ 0.</param>
    protected ClassIndexTarget(IReadOnlyList<long> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0)
        {
            throw new ArgumentException("A class target needs at least one image's class; got none.", nameof(classes));
        }

        var negative = classes.Select((c, i) => (c, i)).FirstOrDefault(p => p.c < 0);
        if (negative.c < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), $"Class indices must be ≥ 0; image {negative.i} has {negative.c}.");
        }

        this.classes = classes.ToArray();
    }

    /// <summary>The class index of each image.</summary>
    public IReadOnlyList<long> Classes => classes;

    /// <inheritdoc />
    public override int Count => classes.Length;

    /// <summary>The output of each row's class, <c>outputs[r, classes[rows[r]]]</c>, <c>[N]</c>.</summary>
    /// <param name="outputs">Model outputs <c>[N, n]</c>.</param>
    /// <param name="rows">Image of each row <c>[N]</c>.</param>
    protected Tensor PickClass(Tensor outputs, Tensor rows)
    {
        Check(outputs, rows);
        using var scope = NewDisposeScope();
        var table = tensor(classes, device: outputs.device);
        var index = table.index_select(0, rows.to(ScalarType.Int64)).unsqueeze(1);
        return outputs.gather(1, index).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>One-hot rows <c>[Count, n]</c> of the classes, float32.</summary>
    /// <param name="numOutputs">Output width <c>n</c>.</param>
    /// <param name="device">Device of the result.</param>
    protected Tensor OneHot(long numOutputs, Device device)
    {
        CheckRange(numOutputs);
        using var scope = NewDisposeScope();
        var index = tensor(classes, device: device).unsqueeze(1);
        return zeros(classes.Length, numOutputs, device: device).scatter_(1, index, ones(classes.Length, 1, device: device)).MoveToOuterDisposeScope();
    }

    /// <summary>The class indices of the selected images, in order.</summary>
    /// <param name="images">Image indices.</param>
    protected long[] SelectClasses(IReadOnlyList<int> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return images.Select(i => i >= 0 && i < classes.Length
            ? classes[i]
            : throw new ArgumentOutOfRangeException(nameof(images), $"The target describes {classes.Length} images; image {i} does not exist.")).ToArray();
    }

    /// <summary>The class indices of images <c>start .. start+count−1</c>.</summary>
    /// <param name="start">First image.</param>
    /// <param name="count">Number of images.</param>
    protected long[] SliceClasses(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > classes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"The target describes {classes.Length} images; images {start}..{start + count - 1} are out of range.");
        }

        return classes[start..(start + count)];
    }

    private void Check(Tensor outputs, Tensor rows)
    {
        TensorChecks.Rank(outputs, 2, GetType().Name, "model outputs [N, n]", nameof(outputs));
        TensorChecks.Rank(rows, 1, GetType().Name, "the image of each output row [N]", nameof(rows));
        if (rows.shape[0] != outputs.shape[0])
        {
            throw new ArgumentException($"{GetType().Name} expects one image index per output row ({outputs.shape[0]}); got {TensorChecks.Describe(rows)}.", nameof(rows));
        }

        CheckRange(outputs.shape[1]);
    }

    private void CheckRange(long numOutputs)
    {
        var max = classes.Max();
        if (max >= numOutputs)
        {
            throw new ArgumentException($"{GetType().Name} asks for class {max}, but the model has {numOutputs} outputs.");
        }
    }
}
