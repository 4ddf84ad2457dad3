using Scouter.Core.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

/// <summary>Small models whose explanations are known analytically.</summary>
public static class ToyModels
{
    /// <summary>
    /// A ScouterModel whose backbone is a 1×1 convolution fixed to the identity (so the feature map A equals the
    /// input) followed by the FC head: scores_c = Σ_k W_ck · mean_ij A_k(i,j) + b_c. Hence CAM_c = Σ_k W_ck A_k
    /// exactly, and ∂score_c/∂A_k(i,j) = W_ck / (h·w) at every position.
    /// </summary>
    public static ScouterModel LinearFc(float[,] weights, float[]? bias = null)
    {
        int n = weights.GetLength(0), c = weights.GetLength(1);
        var conv = nn.Conv2d(c, c, 1);
        var head = FcClassifierHead.Create(c, n);
        var model = ScouterModel.Create(conv, head);
        using var noGrad = no_grad();
        using (var eye = torch.eye(c).view(c, c, 1, 1))
        {
            conv.weight!.copy_(eye);
        }

        conv.bias!.zero_();
        var flat = new float[n * c];
        Buffer.BlockCopy(weights, 0, flat, 0, flat.Length * sizeof(float));
        using (var w = tensor(flat).view(n, c))
        {
            model.named_parameters().Single(p => p.name == "fc.weight").parameter.copy_(w);
        }

        using (var b = tensor(bias ?? new float[n]))
        {
            model.named_parameters().Single(p => p.name == "fc.bias").parameter.copy_(b);
        }

        model.eval();
        return model;
    }

    /// <summary>The region [top, top+height) × [left, left+width) of an H×W image as a bool mask [H, W].</summary>
    public static Tensor Region(long imageHeight, long imageWidth, long top, long left, long height, long width)
    {
        var mask = zeros(imageHeight, imageWidth, dtype: ScalarType.Bool);
        mask.narrow(0, top, height).narrow(1, left, width).fill_(true);
        return mask;
    }
}

/// <summary>
/// A two-class model looking only at a region R: features = identity (a registered layer named "features"), and
/// logit₀ = α · mean over channels <paramref name="channels"/> and positions in R of the features, logit₁ = 0.
/// So p₀ = sigmoid(α · mean_R) and every explanation of class 0 must concentrate on R.
/// </summary>
public sealed class RegionModel : nn.Module<Tensor, Tensor>
{
    private readonly Identity features;
    private readonly Tensor region;
    private readonly double alpha;
    private readonly long[]? channels;

    public RegionModel(Tensor region, double alpha, long[]? channels = null) : base(nameof(RegionModel))
    {
        features = nn.Identity();
        this.region = region.to(ScalarType.Float32).DetachFromDisposeScope();
        this.alpha = alpha;
        this.channels = channels;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var a = features.call(input);
        var selected = channels is null ? a : a.index_select(1, tensor(channels));
        var inside = (selected * region).sum([1L, 2L, 3L]) / (region.sum() * selected.shape[1]);
        var logits = stack([inside * alpha, zeros_like(inside)], 1);
        return logits.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            region.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// p₀ equals the mean of the input exactly: logits = [log m, log(1 − m)], so softmax = [m, 1 − m]. Inputs must lie in
/// [0, 1]. Makes insertion and deletion curves computable by hand.
/// </summary>
public sealed class MeanProbabilityModel : nn.Module<Tensor, Tensor>
{
    public MeanProbabilityModel() : base(nameof(MeanProbabilityModel))
    {
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var m = input.mean([1L, 2L, 3L]).to(ScalarType.Float64);
        return stack([m.log(), (1 - m).log()], 1).MoveToOuterDisposeScope();
    }
}

/// <summary>A linear scorer: logit₀ = Σ w ⊙ x, logit₁ = 0. f(x) − f(x − I) = Σ w ⊙ I exactly.</summary>
public sealed class LinearScoreModel : nn.Module<Tensor, Tensor>
{
    private readonly Tensor weights;

    public LinearScoreModel(Tensor weights) : base(nameof(LinearScoreModel))
    {
        this.weights = weights.DetachFromDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var s = (input * weights).sum([1L, 2L, 3L]);
        return stack([s, zeros_like(s)], 1).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weights.Dispose();
        }

        base.Dispose(disposing);
    }
}
