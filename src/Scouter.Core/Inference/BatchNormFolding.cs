using Scouter.Core.Backbones;
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Inference;

/// <summary>
/// Folds batch normalisation into the convolution before it, for models that only infer: in evaluation mode a batch
/// norm is a fixed per-channel scale and shift, which the convolution's weights and bias can absorb, so each pair
/// costs one pass over the activations instead of two. Training is untouched: the folding lasts until the returned
/// <see cref="FoldedBatchNorms"/> is disposed, which restores every tensor exactly.
/// </summary>
/// <remarks>
/// <para>Pairs are found by running the model once on one image of <c>sample</c> with hooks on every leaf module: a
/// pair is a <see cref="Conv2d"/> whose output goes straight into a <see cref="ScalarSafeBatchNorm2d"/> (the batch norm
/// every built-in backbone uses) with no other module in between, each running only in that pairing. The module tree
/// is walked, not known block classes, so backbones of any structure are served. A second forward pass of the same
/// image after folding must give the first one's output within <see cref="RelativeTolerance"/> of its largest value;
/// otherwise (a convolution's output also used elsewhere, an in-place operation between the two) everything is
/// restored and <see cref="FoldedBatchNorms.Rejection"/> says why.</para>
/// <para>While folded: the convolutions' weights hold the folded values (same parameter objects, same layout, so
/// channels-last weights stay channels-last), a convolution without bias gets one (a <c>bias</c> parameter that
/// does not require gradients, so <c>state_dict()</c> shows it), and the batch norms pass their input through in
/// evaluation mode and refuse training mode. Save a model after disposing its folding. Other batch norm classes
/// (TorchSharp's own <see cref="BatchNorm2d"/>) are left as they are.</para>
/// </remarks>
/// <example>
/// <code>
/// model.eval();
/// using var folded = BatchNormFolding.Fold(model.Backbone, images);   // any batch the model accepts
/// using var inference = torch.inference_mode();
/// foreach (var batch in batches) { … model.ForwardDetailed(batch) … }
/// </code>
/// </example>
public static class BatchNormFolding
{
    /// <summary>
    /// How far the folded model's output may differ from the original one on the sample, relative to the original's
    /// largest absolute value. Rounding differs by about 1e-6 of it; a wrongly folded pair by far more.
    /// </summary>
    public const double RelativeTolerance = 1e-3;

    /// <summary>Folds every foldable batch norm of <paramref name="module"/> into its convolution.</summary>
    /// <param name="module">A model or backbone in evaluation mode.</param>
    /// <param name="sample">Input the module accepts (a batch; only its first image is used), on the module's device.</param>
    /// <returns>The folding; dispose it to restore the module. <see cref="FoldedBatchNorms.Count"/> may be 0.</returns>
    /// <exception cref="InvalidOperationException">The module is in training mode: folding uses the running statistics.</exception>
    /// <exception cref="ArgumentException">The sample has no images.</exception>
    public static FoldedBatchNorms Fold(nn.Module<Tensor, Tensor> module, Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(sample);
        if (module.training)
        {
            throw new InvalidOperationException("Batch norms fold with their running statistics, i.e. in evaluation mode: call eval() on the model before folding.");
        }

        if (sample.dim() < 1 || sample.shape[0] < 1)
        {
            throw new ArgumentException($"The sample must hold at least one image; got shape [{string.Join(", ", sample.shape)}].", nameof(sample));
        }

        var names = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance) { [module] = "(root)" };
        foreach (var (name, child) in module.named_modules().Where(entry => !string.IsNullOrEmpty(entry.name)))
        {
            names[child] = name;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = sample.narrow(0, 0, 1);
        var (pairs, reference) = Trace(module, image);
        var folds = pairs.Select(pair => FoldedPair.Apply(pair.Convolution, pair.Norm, names[pair.Convolution])).ToList();
        var unfolded = module.modules().OfType<BatchNorm>().Where(norm => !pairs.Any(pair => ReferenceEquals(pair.Norm, norm)) && norm is not ScalarSafeBatchNorm2d { FoldedInto: not null })
            .Select(norm => names[norm]).ToList();
        if (folds.Count == 0)
        {
            return new FoldedBatchNorms([], unfolded, 0, null);
        }

        var folded = module.call(image);
        var scale = reference.abs().max().to(ScalarType.Float64).item<double>();
        var difference = folded.sub(reference).abs().max().to(ScalarType.Float64).item<double>();
        if (!(difference <= RelativeTolerance * Math.Max(scale, double.Epsilon)))
        {
            for (var i = folds.Count - 1; i >= 0; i--)
            {
                folds[i].Restore();
            }

            return new FoldedBatchNorms([], pairs.Select(pair => names[pair.Norm]).Concat(unfolded).ToList(), difference,
                $"folding {folds.Count} batch norms changed the output by {difference:G3} (largest value {scale:G3}): a convolution's output is used by more than its batch norm; nothing folded");
        }

        return new FoldedBatchNorms(folds, unfolded, difference, null);
    }

    // One forward pass with hooks on every leaf module. A convolution and a batch norm pair when every run of the norm
    // took, as its input, the very tensor that convolution had just returned, and the convolution ran no more often.
    private static (List<(Conv2d Convolution, ScalarSafeBatchNorm2d Norm)> Pairs, Tensor Output) Trace(nn.Module<Tensor, Tensor> module, Tensor image)
    {
        var runs = new Dictionary<nn.Module, int>(ReferenceEqualityComparer.Instance);
        var links = new Dictionary<ScalarSafeBatchNorm2d, Link>(ReferenceEqualityComparer.Instance);
        (Conv2d Convolution, Tensor Output)? pending = null;
        var removers = new List<Action>();
        try
        {
            foreach (var leaf in module.modules().OfType<nn.Module<Tensor, Tensor>>().Where(m => !m.children().Any()))
            {
                var pre = leaf.register_forward_pre_hook((m, input) =>
                {
                    runs[m] = runs.GetValueOrDefault(m) + 1;
                    if (m is ScalarSafeBatchNorm2d norm)
                    {
                        var link = links.TryGetValue(norm, out var known) ? known : links[norm] = new Link();
                        if (pending is { } p && ReferenceEquals(input, p.Output) && (link.Convolution is null || ReferenceEquals(link.Convolution, p.Convolution)))
                        {
                            link.Convolution = p.Convolution;
                            link.Runs++;
                        }
                        else
                        {
                            link.Broken = true;
                        }
                    }

                    pending = null;
                    return input;
                });
                removers.Add(pre.remove);
                if (leaf is Conv2d convolution)
                {
                    var post = convolution.register_forward_hook((_, _, output) =>
                    {
                        pending = (convolution, output);
                        return output;
                    });
                    removers.Add(post.remove);
                }
            }

            var output = module.call(image);
            var pairs = links
                .Where(entry => entry.Key.FoldedInto is null && !entry.Value.Broken && entry.Value.Convolution is { } c && runs[c] == entry.Value.Runs && IsFoldable(c, entry.Key))
                .Select(entry => (entry.Value.Convolution!, entry.Key))
                .ToList();
            return (pairs, output);
        }
        finally
        {
            foreach (var remove in removers)
            {
                remove();
            }
        }
    }

    private static bool IsFoldable(Conv2d convolution, ScalarSafeBatchNorm2d norm) =>
        norm.running_mean is not null && norm.running_var is not null && !norm.training
        && convolution.weight.dim() == 4 && convolution.weight.shape[0] == norm.num_features
        && convolution.weight.is_floating_point() && convolution.weight.dtype == norm.running_mean.dtype;

    private sealed class Link
    {
        public Conv2d? Convolution { get; set; }

        public int Runs { get; set; }

        public bool Broken { get; set; }
    }

    /// <summary>One folded pair and what restores it.</summary>
    internal sealed class FoldedPair
    {
        private readonly Conv2d convolution;
        private readonly ScalarSafeBatchNorm2d norm;
        private readonly Tensor originalWeight;
        private readonly Tensor? originalBias;

        private FoldedPair(Conv2d convolution, ScalarSafeBatchNorm2d norm, string name, Tensor originalWeight, Tensor? originalBias)
        {
            this.convolution = convolution;
            this.norm = norm;
            Name = name;
            this.originalWeight = originalWeight;
            this.originalBias = originalBias;
        }

        public string Name { get; }

        // W' = W · γ / √(σ² + ε) per output channel, b' = (b − μ) · γ / √(σ² + ε) + β, computed in float64.
        public static FoldedPair Apply(Conv2d convolution, ScalarSafeBatchNorm2d norm, string name)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var scalars = new ScalarScope();
            var weight = convolution.weight;
            var dtype = weight.dtype;
            var channels = weight.shape[0];
            var scale = norm.running_var!.to(ScalarType.Float64).add(scalars.Of(norm.eps)).rsqrt();
            if (norm.weight is { } gamma)
            {
                scale = scale.mul(gamma.to(ScalarType.Float64));
            }

            var shift = (convolution.bias is { } b ? b.to(ScalarType.Float64) : zeros(channels, ScalarType.Float64, weight.device))
                .sub(norm.running_mean!.to(ScalarType.Float64)).mul(scale);
            if (norm.bias is { } beta)
            {
                shift = shift.add(beta.to(ScalarType.Float64), ScalarScope.One);
            }

            var foldedWeight = empty_strided(weight.shape, weight.stride(), dtype, weight.device);
            foldedWeight.copy_(weight.to(ScalarType.Float64).mul(scale.view(channels, 1, 1, 1)));

            // detach() shares the original storage: after set_ the parameter points at the folded values and this
            // handle keeps the original ones, so restoring is exact and copies nothing.
            var originalWeight = weight.detach().DetachFromDisposeScope();
            weight.set_(foldedWeight);
            Tensor? originalBias = null;
            if (convolution.bias is { } bias)
            {
                originalBias = bias.detach().DetachFromDisposeScope();
                bias.set_(shift.to(dtype));
            }
            else
            {
                convolution.bias = new Parameter(shift.to(dtype).DetachFromDisposeScope(), requires_grad: false);
            }

            norm.FoldedInto = name;
            return new FoldedPair(convolution, norm, name, originalWeight, originalBias);
        }

        public void Restore()
        {
            using var noGrad = no_grad();
            convolution.weight.set_(originalWeight);
            originalWeight.Dispose();
            if (originalBias is not null)
            {
                convolution.bias!.set_(originalBias);
                originalBias.Dispose();
            }
            else
            {
                convolution.bias = null; // disposes the bias the folding added
            }

            norm.FoldedInto = null;
        }
    }
}
