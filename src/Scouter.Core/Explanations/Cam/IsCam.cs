// IS-CAM: Naidu et al., "IS-CAM: Integrated Score-CAM for axiomatic-based explanations", 2020. As in the paper's
// algorithm and torch-cam's ISCAM, the mask is accumulated over N steps, M ← M + (i/N)·M_k, and the target's
// probabilities on x ⊙ M are averaged (torch-cam sums them; the constant factor does not change the map).
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// IS-CAM (Naidu et al., 2020): <c>w_k = (1/N) Σ_{i=1..N} p(x ⊙ c_i M_k)</c> with the accumulated scale
/// <c>c_i = Σ_{j≤i} j/N = i(i+1)/(2N)</c>. Deterministic. Cost: <c>K·N</c> forward passes per image.
/// </summary>
public sealed class IsCam : ScoreCam
{
    private readonly int steps;

    private IsCam(nn.Module<Tensor, Tensor> model, string? targetLayer, int steps, SaliencyOptions? options) : base(model, targetLayer, options)
    {
        this.steps = steps;
    }

    /// <summary>Creates IS-CAM.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="targetLayer">Layer name; null for the last spatial layer.</param>
    /// <param name="steps">Integration steps <c>N</c> (default 10).</param>
    /// <param name="options">Shared settings.</param>
    public static IsCam Create(nn.Module<Tensor, Tensor> model, string? targetLayer = null, int steps = 10, SaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return new IsCam(model, targetLayer, steps, options);
    }

    /// <inheritdoc />
    public override string Name => "IS-CAM";

    /// <inheritdoc />
    protected override int Samples => steps;

    /// <inheritdoc />
    protected override Tensor SampleMasks(Tensor masks, Tensor images, Tensor samples, CamContext context)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var i = samples.to(masks.dtype).add(ScalarScope.One, ScalarScope.One); // 1-based step
        var scale = (i * i.add(ScalarScope.One, ScalarScope.One)).div(scalars.Of(2.0 * steps)); // i(i + 1) / 2N
        return (masks * scale.view(-1, 1, 1, 1)).MoveToOuterDisposeScope();
    }
}
