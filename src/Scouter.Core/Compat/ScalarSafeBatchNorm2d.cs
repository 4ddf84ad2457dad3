using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Scouter.Core.Compat;

/// <summary>
/// TorchSharp's <see cref="BatchNorm2d"/>, computed the same way, whose training-mode forward frees the native
/// <see cref="Scalar"/>s of its <c>num_batches_tracked</c> update. Every built-in backbone uses it.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107's <see cref="BatchNorm.forward"/> counts batches with <c>num_batches_tracked.add_(1)</c>,
/// whose two implicit scalars (the 1 and the hidden <c>alpha</c>) only the finalizer frees, and 0.107 does not keep
/// them alive for the native call: a garbage collection in between can free them under it ("Unknown scalar type";
/// docs/training.md). This module does the same update with scalars it owns. Parameters, buffers, their names
/// (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>), state
/// dictionaries, hooks and results are those of <see cref="BatchNorm2d"/>.</para>
/// <para>Upstream fixes: TorchSharp PRs #1434 and #1496. When both ship, use <c>nn.BatchNorm2d</c> again and delete
/// this class (see <see cref="ScalarScope"/>).</para>
/// </remarks>
public sealed class ScalarSafeBatchNorm2d : BatchNorm
{
    private ScalarSafeBatchNorm2d(long features, double eps, double? momentum, bool affine, bool trackRunningStats, Device? device, ScalarType? dtype)
        : base(features, eps, momentum ?? 0.1, affine, trackRunningStats, device, dtype, nameof(BatchNorm2d))
    {
        this.momentum = momentum;
    }

    /// <summary>A new batch norm over <paramref name="features"/> channels, initialised as <c>nn.BatchNorm2d</c> is.</summary>
    /// <param name="features">Channels C of the <c>[B, C, H, W]</c> input.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Running-statistics momentum; null for a cumulative average.</param>
    /// <param name="affine">Learn a per-channel scale and shift.</param>
    /// <param name="trackRunningStats">Keep running statistics for evaluation.</param>
    /// <param name="device">Device of the parameters and buffers; null for the default.</param>
    /// <param name="dtype">Their type; null for the default.</param>
    public static ScalarSafeBatchNorm2d Create(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, Device? device = null, ScalarType? dtype = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        return new ScalarSafeBatchNorm2d(features, eps, momentum, affine, trackRunningStats, device, dtype);
    }

    /// <summary>
    /// The convolution this batch norm is folded into (<see cref="Inference.BatchNormFolding"/>), or null. While folded,
    /// the convolution computes both, so the forward pass returns its input unchanged; training is refused.
    /// </summary>
    internal string? FoldedInto { get; set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (FoldedInto is not null)
        {
            return training
                ? throw new InvalidOperationException($"This batch norm is folded into {FoldedInto} for inference; dispose the folding (FoldedBatchNorms) before training.")
                : input.alias();
        }

        var factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(ScalarScope.One, ScalarScope.One);
            factor = momentum ?? (1.0 / num_batches_tracked.item<long>());
        }

        var useBatchStatistics = training || (running_mean is null && running_var is null);
        var passStatistics = !training || track_running_stats;
        return F.batch_norm(input, passStatistics ? running_mean : null, passStatistics ? running_var : null, weight, bias, useBatchStatistics, factor, eps);
    }

    /// <inheritdoc />
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a [B, C, H, W] input; got {input.ndim} dimension(s) [{string.Join(", ", input.shape)}].", nameof(input));
        }

        if (input.shape[1] != num_features)
        {
            throw new ArgumentException($"BatchNorm2d over {num_features} channels got an input with {input.shape[1]} channels [{string.Join(", ", input.shape)}].", nameof(input));
        }
    }
}
