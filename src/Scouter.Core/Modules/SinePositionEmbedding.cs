// Follows the DETR-style PositionEmbeddingSine (normalize=True, temperature 10000, scale 2π) that the
// official SCOUTER code builds with build_position_encoding('sine', hidden_dim). Written from
// docs/official-implementation.md §1, item 2; the code is our own.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// The normalised sine position embedding of SCOUTER's xSlot head. Given a feature map
/// <c>[B, d, h, w]</c> it returns the embedding <c>[1, d, h, w]</c>: channels <c>0..d/2−1</c> encode the row,
/// channels <c>d/2..d−1</c> the column, with interleaved sine (even feature) and cosine (odd feature).
/// </summary>
/// <remarks>
/// The embedding depends only on <c>d</c>, <c>h</c> and <c>w</c>; it has no parameters and adds nothing to the state dict.
/// It is recomputed per call (a few hundred floats) rather than cached, so the module holds no mutable state and
/// any map size works.
/// </remarks>
public sealed class SinePositionEmbedding : nn.Module<Tensor, Tensor>
{
    private const double Temperature = 10000.0;
    private const double Epsilon = 1e-6;

    private readonly int hiddenDim;

    /// <summary>Creates the embedding for <paramref name="hiddenDim"/> channels.</summary>
    /// <param name="hiddenDim">Channel count <c>d</c>; must be even and at least 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenDim"/> is odd or smaller than 2.</exception>
    public SinePositionEmbedding(int hiddenDim) : base(nameof(SinePositionEmbedding))
    {
        if (hiddenDim < 2 || hiddenDim % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenDim), hiddenDim, "The sine position embedding needs an even channel count of at least 2 (half per axis).");
        }

        this.hiddenDim = hiddenDim;
        RegisterComponents();
    }

    /// <summary>Channel count <c>d</c> of the embedding.</summary>
    public int HiddenDim => hiddenDim;

    /// <summary>Returns the embedding <c>[1, d, h, w]</c> for a feature map <c>[B, d, h, w]</c>, on its device and in its dtype.</summary>
    /// <param name="featureMap">The feature map whose size, device and dtype the embedding follows.</param>
    public override Tensor forward(Tensor featureMap)
    {
        TensorChecks.Rank(featureMap, 4, nameof(SinePositionEmbedding), "a feature map [B, d, h, w]", nameof(featureMap));
        if (featureMap.shape[1] != hiddenDim)
        {
            throw new ArgumentException($"{nameof(SinePositionEmbedding)} was built for d = {hiddenDim} channels; got {TensorChecks.Describe(featureMap)}.", nameof(featureMap));
        }

        return Compute(featureMap.shape[2], featureMap.shape[3], featureMap.device, featureMap.dtype);
    }

    /// <summary>Computes the embedding <c>[1, d, height, width]</c> directly.</summary>
    /// <param name="height">Rows <c>h ≥ 1</c>.</param>
    /// <param name="width">Columns <c>w ≥ 1</c>.</param>
    /// <param name="device">Device of the result (CPU when null).</param>
    /// <param name="dtype">Floating-point dtype of the result (float32 when null).</param>
    public Tensor Compute(long height, long width, Device? device = null, ScalarType? dtype = null)
    {
        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"{nameof(SinePositionEmbedding)} needs a map of at least 1×1; got {height}×{width}.");
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        long m = hiddenDim / 2;

        // The official code works in float32 throughout; doing the same keeps the last bits in step with it.
        var f32 = ScalarType.Float32;
        var featureIndex = arange(scalars.Of(0L), scalars.Of(m), scalars.Of(1L), dtype: f32, device: device);
        var dimT = pow(Temperature, featureIndex.floor_divide(scalars.Of(2)).mul_(scalars.Of(2)).div_(scalars.Of(m)));
        var useSine = arange(scalars.Of(0L), scalars.Of(m), scalars.Of(1L), dtype: ScalarType.Int64, device: device).remainder(scalars.Of(2)).eq(scalars.Of(0));

        Tensor AxisFeatures(long length)
        {
            // Positions 1..L, normalised by (L + eps) and scaled to (0, 2π], exactly as cumsum(1)/(last + eps)·2π.
            var positions = arange(scalars.Of(1L), scalars.Of(length + 1), scalars.Of(1L), dtype: f32, device: device)
                .div_(scalars.Of(length + Epsilon)).mul_(scalars.Of(2 * Math.PI));
            var angles = positions.unsqueeze(1) / dimT; // [L, m]
            return where(useSine, angles.sin(), angles.cos()).t(); // [m, L]
        }

        var rows = AxisFeatures(height).unsqueeze(2).expand(m, height, width);
        var cols = AxisFeatures(width).unsqueeze(1).expand(m, height, width);
        var embedding = cat([rows, cols], 0).unsqueeze(0).to(dtype ?? f32);
        return embedding.MoveToOuterDisposeScope();
    }
}
