using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Compat;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (PyTorch's default single-tensor AdamW) with a step that frees every native
/// <see cref="Scalar"/> it creates. Same parameters, state, options, state dictionary and results, bit for bit.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107's <see cref="AdamW.step"/> passes nine numbers per parameter tensor to native operations
/// (<c>mul_(beta1)</c>, <c>add_(grad, alpha: 1 − beta1)</c>, …); each becomes a <see cref="Scalar"/> that only the
/// finalizer frees — 558 per step for a resnet18 FC model. Besides the finalizer load, 0.107 does not keep a
/// scalar alive for the length of the native call that reads it, so a garbage collection in between can free it
/// under the call ("Unknown scalar type", "Expected false to be true" from <c>c10::Scalar</c>; docs/training.md).
/// This step computes exactly the same operations in the same order with scalars it owns and disposes.</para>
/// <para><see cref="Training.Trainer"/> uses it; it is a drop-in replacement wherever an <see cref="AdamW"/> is expected.</para>
/// <para>Upstream fixes: TorchSharp PRs #1434 and #1496. When both ship, use <c>optim.AdamW</c> again and delete this
/// class (see <see cref="ScalarScope"/>).</para>
/// </remarks>
public sealed class ScalarSafeAdamW : AdamW
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>, with PyTorch's AdamW defaults.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the first-moment estimate.</param>
    /// <param name="beta2">Decay of the second-moment estimate.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weight_decay">Decoupled weight decay.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    public ScalarSafeAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>Performs one AdamW update of every parameter that has a gradient.</summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null.</returns>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(StepGroup, closure);

    private void StepGroup(ParamGroup group)
    {
        var options = (Options)group.Options;
        var beta1 = options.beta1!.Value;
        var beta2 = options.beta2!.Value;
        var weightDecay = options.weight_decay!.Value;
        var amsgrad = options.amsgrad!.Value;
        var maximize = options.maximize!.Value;
        var eps = options.eps!.Value;
        var lr = options.LearningRate!.Value;

        using var scalars = new ScalarScope();
        var decay = scalars.Of(1 - (lr * weightDecay));
        var keep1 = scalars.Of(beta1);
        var take1 = scalars.Of(1 - beta1);
        var keep2 = scalars.Of(beta2);
        var take2 = scalars.Of(1 - beta2);
        var epsilon = scalars.Of(eps);
        foreach (var parameter in group.Parameters)
        {
            using var scope = NewDisposeScope();
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            if (maximize)
            {
                grad = grad.neg();
            }

            state.step += 1;
            parameter.mul_(decay);
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(keep1).add_(grad, alpha: take1);
            state.exp_avg_sq.mul_(keep2).addcmul_(grad, grad, value: take2);

            Tensor second;
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                second = state.max_exp_avg_sq;
            }
            else
            {
                second = state.exp_avg_sq;
            }

            // In place on sqrt's result (TorchSharp divides into a second new tensor): same values, one
            // parameter-sized allocation less per tensor and step.
            var denominator = second.sqrt().div_(scalars.Of(Math.Sqrt(biasCorrection2))).add_(epsilon, ScalarScope.One); // add_(Scalar) alone would pass its own implicit alpha
            parameter.addcdiv_(state.exp_avg, denominator, value: scalars.Of(-(lr / biasCorrection1)));
        }
    }
}
