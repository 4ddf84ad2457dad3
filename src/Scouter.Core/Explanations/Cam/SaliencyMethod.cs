// The shared half of every baseline explanation method, after pytorch-grad-cam's BaseCAM
// (jacobgil/pytorch-grad-cam, pytorch_grad_cam/base_cam.py): batching, evaluation mode, upsampling to the input and
// the official normalisation; each method supplies only its raw map.
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// A post-hoc explanation method for a classifier (a <c>Module&lt;Tensor, Tensor&gt;</c> returning class scores, such
/// as a <see cref="Modules.ScouterModel"/> with an <see cref="Modules.FcClassifierHead"/>).
/// <see cref="Explain"/> returns maps at the input's size, post-processed as the official code does (ReLU,
/// min–max, <c>grad_min_level</c> floor, min–max); <see cref="Attribute"/> returns the method's raw map.
/// </summary>
/// <remarks>
/// The model is put in evaluation mode for each call and restored afterwards. Disposing the method releases any
/// hooks it placed on the model; the model itself stays the caller's. An instance keeps per-call state in its hook,
/// so one instance must not explain from two threads at once.
/// </remarks>
public abstract class SaliencyMethod : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private bool disposed;

    /// <summary>Initialises the shared state.</summary>
    /// <param name="model">The classifier to explain.</param>
    /// <param name="options">Shared settings; null for the defaults.</param>
    protected SaliencyMethod(nn.Module<Tensor, Tensor> model, SaliencyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        Options = (options ?? new SaliencyOptions()).Validated();
    }

    /// <summary>Short name of the method as it appears in reports (e.g. <c>Grad-CAM</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The classifier being explained.</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>The shared settings.</summary>
    public SaliencyOptions Options { get; }

    /// <summary>
    /// Explains each image: the raw map, ReLU, bilinear upsampling to the image size, min–max normalisation per map,
    /// the <see cref="SaliencyOptions.GradMinLevel"/> floor and normalisation again.
    /// </summary>
    /// <param name="images">Model inputs <c>[B, C, H, W]</c>.</param>
    /// <param name="target">What to explain for each of the <c>B</c> images.</param>
    /// <returns>Maps <c>[B, H, W]</c> in <c>[0, 1]</c>, float32.</returns>
    public Tensor Explain(Tensor images, ExplanationTarget target)
    {
        using var scope = NewDisposeScope();
        var raw = Attribute(images, target).to(ScalarType.Float32);
        var up = ExplanationMaps.Upsample(nn.functional.relu(raw).unsqueeze(1), images.shape[2], images.shape[3]);
        return ExplanationMaps.NormalizeWithFloor(up, Options.GradMinLevel).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Explains several classes of each image at once: row <c>b</c>, column <c>j</c> explains class
    /// <c>classes[b, j]</c> (or "not" that class when <paramref name="negative"/> is set).
    /// </summary>
    /// <param name="images">Model inputs <c>[B, C, H, W]</c>.</param>
    /// <param name="classes">Class indices <c>[B, k]</c>, integer.</param>
    /// <param name="negative">Explain "why not" each class instead of "why".</param>
    /// <returns>Maps <c>[B, k, H, W]</c> in <c>[0, 1]</c>.</returns>
    public Tensor ExplainClasses(Tensor images, Tensor classes, bool negative = false)
    {
        CheckImages(images);
        TensorChecks.Rank(classes, 2, Name, $"class indices [B = {images.shape[0]}, k]", nameof(classes));
        if (classes.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"{Name} expects one row of classes per image ({images.shape[0]}); got {TensorChecks.Describe(classes)}.", nameof(classes));
        }

        using var scope = NewDisposeScope();
        long b = images.shape[0], k = classes.shape[1];
        var repeated = images.repeat_interleave(k, dim: 0);
        var flat = classes.reshape(-1);
        ExplanationTarget target = negative ? ExplanationTarget.NotClass(flat) : ExplanationTarget.Class(flat);
        return Explain(repeated, target).view(b, k, images.shape[2], images.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The method's raw map, before ReLU and normalisation, at the method's own resolution (the target layer's
    /// for CAM-style methods, the mask's for optimisation methods, the input's for RISE).
    /// </summary>
    /// <param name="images">Model inputs <c>[B, C, H, W]</c>.</param>
    /// <param name="target">What to explain for each image.</param>
    /// <returns>Maps <c>[B, h, w]</c>.</returns>
    public Tensor Attribute(Tensor images, ExplanationTarget target)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Count != images.shape[0])
        {
            throw new ArgumentException($"{Name}: the target describes {target.Count} images, but {images.shape[0]} were given.", nameof(target));
        }

        using var mode = new EvalModeScope(model);
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)Options.Seed);
        var parts = new List<Tensor>();
        var batch = (int)images.shape[0];
        for (var start = 0; start < batch; start += Options.BatchSize)
        {
            var count = Math.Min(Options.BatchSize, batch - start);
            var chunk = images.narrow(0, start, count).detach();
            var map = Compute(chunk, target.Slice(start, count), generator);
            parts.Add(map.detach());
        }

        var result = parts.Count == 1 ? parts[0] : cat(parts, 0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Computes the raw maps of one chunk of images.</summary>
    /// <param name="images">At most <see cref="SaliencyOptions.BatchSize"/> images <c>[b, C, H, W]</c>, detached.</param>
    /// <param name="target">Their target.</param>
    /// <param name="generator">The call's random generator (CPU), seeded with <see cref="SaliencyOptions.Seed"/>.</param>
    /// <returns>Maps <c>[b, h, w]</c>.</returns>
    protected abstract Tensor Compute(Tensor images, ExplanationTarget target, Generator generator);

    /// <summary>Gaussian noise drawn from the call's generator on the CPU and moved to <paramref name="device"/>,
    /// so a seed gives the same numbers on every device.</summary>
    /// <param name="shape">Shape of the noise.</param>
    /// <param name="generator">The call's generator.</param>
    /// <param name="device">Device of the result.</param>
    protected static Tensor Noise(long[] shape, Generator generator, Device device)
    {
        using var scope = NewDisposeScope();
        return randn(shape, generator: generator).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>Releases hooks and other resources of the method.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        disposed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    private void CheckImages(Tensor images)
    {
        TensorChecks.Rank(images, 4, Name, "images [B, C, H, W]", nameof(images));
        TensorChecks.FloatingPoint(images, Name, nameof(images));
        if (images.numel() == 0)
        {
            throw new ArgumentException($"{Name} expects a non-empty batch of images; got {TensorChecks.Describe(images)}.", nameof(images));
        }
    }
}
