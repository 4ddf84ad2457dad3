using Scouter.Core.Compat;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// Adam (Kingma and Ba, 2015) on one tensor, for the mask and bottleneck optimisations. Written out instead of using
/// <c>optim.Adam</c> because that reads <c>.grad</c>, which <c>backward()</c> would also fill on the explained model's
/// own parameters; the methods here take gradients with <c>autograd.grad</c> for their variable only.
/// </summary>
internal sealed class AdamStep : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly double learningRate;
    private readonly Tensor firstMoment;
    private readonly Tensor secondMoment;
    private int step;

    public AdamStep(Tensor like, double learningRate)
    {
        this.learningRate = learningRate;
        firstMoment = zeros_like(like).DetachFromDisposeScope();
        secondMoment = zeros_like(like).DetachFromDisposeScope();
    }

    /// <summary>Updates <paramref name="value"/> in place against <paramref name="gradient"/>.</summary>
    public void Apply(Tensor value, Tensor gradient)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var scalars = new ScalarScope();
        step++;
        firstMoment.mul_(scalars.Of(Beta1)).add_(gradient, alpha: scalars.Of(1 - Beta1));
        secondMoment.mul_(scalars.Of(Beta2)).add_(gradient.pow(scalars.Of(2)), alpha: scalars.Of(1 - Beta2));
        var correctedFirst = firstMoment.div(scalars.Of(1 - Math.Pow(Beta1, step)));
        var correctedSecond = secondMoment.div(scalars.Of(1 - Math.Pow(Beta2, step)));
        value.sub_(correctedFirst.div_(correctedSecond.sqrt_().PlusInPlace(scalars.Of(Epsilon))).mul_(scalars.Of(learningRate)));
    }

    public void Dispose()
    {
        firstMoment.Dispose();
        secondMoment.Dispose();
    }
}
