// "What to explain" as a small object, after pytorch-grad-cam's ClassifierOutputTarget (jacobgil/pytorch-grad-cam,
// pytorch_grad_cam/utils/model_targets.py), batched: one target describes every image of a batch.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations;

/// <summary>
/// What an explanation explains, for every image of a batch: "why class c" (<see cref="ClassTarget"/>), "why not
/// class c" (<see cref="NotClassTarget"/>, the question SCOUTER− answers), or a custom quantity of the model's
/// output. Explanation methods and metrics only ever read the model's output through a target.
/// </summary>
/// <remarks>
/// Rows of a model output need not be images: perturbation methods run many copies of each image, so every call
/// receives <c>rows</c>, the index of the image each output row belongs to.
/// </remarks>
public abstract class ExplanationTarget
{
    /// <summary>Number of images the target describes.</summary>
    public abstract int Count { get; }

    /// <summary>
    /// The differentiable score to explain, one per output row (used by gradient methods and optimisation methods).
    /// </summary>
    /// <param name="outputs">Model outputs (class scores before softmax) <c>[N, n]</c>.</param>
    /// <param name="rows">For each output row, the index of its image in <c>0..Count−1</c>, <c>[N]</c>, int64.</param>
    /// <returns>Scores <c>[N]</c>.</returns>
    public abstract Tensor Score(Tensor outputs, Tensor rows);

    /// <summary>
    /// A probability in <c>[0, 1]</c> of the explained event, one per output row (used by perturbation methods such as
    /// Score-CAM and RISE, and by the insertion, deletion and infidelity metrics).
    /// </summary>
    /// <param name="outputs">Model outputs (class scores before softmax) <c>[N, n]</c>.</param>
    /// <param name="rows">For each output row, the index of its image, <c>[N]</c>, int64.</param>
    /// <returns>Probabilities <c>[N]</c>.</returns>
    public abstract Tensor Probability(Tensor outputs, Tensor rows);

    /// <summary>
    /// The weights <c>v</c> with <see cref="Score(Tensor, Tensor)"/> <c>= Σ_j v_j · output_j</c>, one row per image.
    /// CAM needs them to combine the classifier's weight rows.
    /// </summary>
    /// <param name="numOutputs">Output width <c>n</c> of the model.</param>
    /// <param name="device">Device of the result.</param>
    /// <returns>Weights <c>[Count, n]</c>, float32.</returns>
    /// <exception cref="InvalidOperationException">The target is not linear in the model output.</exception>
    public abstract Tensor OutputWeights(long numOutputs, Device device);

    /// <summary>The target of images <c>start .. start+count−1</c>, for explaining a batch in chunks.</summary>
    /// <param name="start">First image.</param>
    /// <param name="count">Number of images.</param>
    public abstract ExplanationTarget Slice(int start, int count);

    /// <summary>The target of the images listed, in that order (an image may repeat).</summary>
    /// <param name="images">Image indices.</param>
    public abstract ExplanationTarget Select(IReadOnlyList<int> images);

    /// <summary>Scores of a plain batch, one output row per image.</summary>
    /// <param name="outputs">Model outputs <c>[Count, n]</c>.</param>
    /// <returns>Scores <c>[Count]</c>.</returns>
    public Tensor Score(Tensor outputs)
    {
        using var scope = NewDisposeScope();
        return Score(outputs, EveryRow(outputs)).MoveToOuterDisposeScope();
    }

    /// <summary>Probabilities of a plain batch, one output row per image.</summary>
    /// <param name="outputs">Model outputs <c>[Count, n]</c>.</param>
    /// <returns>Probabilities <c>[Count]</c>.</returns>
    public Tensor Probability(Tensor outputs)
    {
        using var scope = NewDisposeScope();
        return Probability(outputs, EveryRow(outputs)).MoveToOuterDisposeScope();
    }

    /// <summary>"Why class c": one class index per image.</summary>
    /// <param name="classes">Class index of each image.</param>
    public static ClassTarget Class(params long[] classes) => new(classes);

    /// <summary>"Why class c" from an integer tensor <c>[B]</c> of class indices.</summary>
    /// <param name="classes">Class indices <c>[B]</c>.</param>
    public static ClassTarget Class(Tensor classes) => new(ToArray(classes));

    /// <summary>"Why not class c": one class index per image.</summary>
    /// <param name="classes">Class index of each image.</param>
    public static NotClassTarget NotClass(params long[] classes) => new(classes);

    /// <summary>"Why not class c" from an integer tensor <c>[B]</c> of class indices.</summary>
    /// <param name="classes">Class indices <c>[B]</c>.</param>
    public static NotClassTarget NotClass(Tensor classes) => new(ToArray(classes));

    /// <summary>
    /// The question a SCOUTER model of the given polarity answers about each class: "why c" for SCOUTER+,
    /// "why not c" for SCOUTER−.
    /// </summary>
    /// <param name="polarity">Polarity of the explanations.</param>
    /// <param name="classes">Class indices <c>[B]</c>.</param>
    public static ExplanationTarget For(ScouterPolarity polarity, Tensor classes) =>
        polarity == ScouterPolarity.Negative ? NotClass(classes) : Class(classes);

    private static long[] ToArray(Tensor classes)
    {
        TensorChecks.Rank(classes, 1, nameof(ExplanationTarget), "class indices [B]", nameof(classes));
        if (classes.is_floating_point() || classes.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"{nameof(ExplanationTarget)} expects integer class indices; got {TensorChecks.Describe(classes)}.", nameof(classes));
        }

        using var cpu = classes.to(ScalarType.Int64).cpu();
        return cpu.data<long>().ToArray();
    }

    // Row b explains image b. arange's three bounds are scalars of our own (see ScalarScope): Grad-CAM and the metrics
    // call this once per explanation.
    private static Tensor EveryRow(Tensor outputs)
    {
        using var scalars = new ScalarScope();
        return scalars.Range(outputs.shape[0], ScalarType.Int64, outputs.device);
    }
}
