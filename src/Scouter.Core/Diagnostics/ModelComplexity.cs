using Scouter.Core.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Diagnostics;

/// <summary>
/// Parameter counts and multiply–accumulate operations of one forward pass, as the official <c>--thop</c> flag
/// reports them (thop calls MACs "FLOPs").
/// </summary>
/// <param name="TrainableParameters">Elements of parameters with <c>requires_grad</c>.</param>
/// <param name="TotalParameters">Elements of all parameters.</param>
/// <param name="MultiplyAccumulates">MACs of one forward pass of the measured input.</param>
public sealed record ModelComplexity(long TrainableParameters, long TotalParameters, long MultiplyAccumulates)
{
    /// <summary>
    /// Runs one forward pass of a zero input of <paramref name="inputShape"/> in eval mode without gradients and
    /// counts MACs with forward hooks: convolutions (output elements × C<sub>in</sub>/groups × kernel area),
    /// linear layers (output elements × input features), batch norms (2 × elements) and the xSlot attention
    /// (its two batched products per iteration and its GRU steps). Element-wise activations and pooling count 0.
    /// </summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="inputShape">Input shape, e.g. <c>[1, 3, 260, 260]</c>.</param>
    public static ModelComplexity Measure(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        var parameters = model.parameters().ToList();
        var trainable = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
        var total = parameters.Sum(p => p.numel());

        long macs = 0;
        var removers = new List<Action>();
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    removers.Add(Hook(conv, (_, output) => macs += output.numel() * (conv.in_channels / conv.groups) * conv.kernel_size.Aggregate(1L, (a, k) => a * k)));
                    break;
                case Linear linear:
                    removers.Add(Hook(linear, (_, output) => macs += output.numel() * linear.in_features));
                    break;
                case BatchNorm norm:
                    removers.Add(Hook(norm, (_, output) => macs += 2 * output.numel()));
                    break;
                case XSlotAttention attention:
                    var remover = attention.register_forward_hook((_, keysSource, _, output) =>
                    {
                        macs += XSlotAttentionMacs(attention, keysSource);
                        return output;
                    });
                    removers.Add(remover.remove);
                    break;
            }
        }

        var wasTraining = model.training;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var device = parameters.FirstOrDefault()?.device ?? CPU;
            model.call(zeros(inputShape, device: device));
        }
        finally
        {
            removers.ForEach(remove => remove());
            model.train(wasTraining);
        }

        return new ModelComplexity(trainable, total, macs);
    }

    // Batched products and GRU steps happen inside the attention, outside any Linear or Conv2d module.
    private static long XSlotAttentionMacs(XSlotAttention attention, Tensor keysSource)
    {
        long batch = keysSource.shape[0], positions = keysSource.shape[1];
        long slots = attention.TotalSlots, d = attention.HiddenDim, iterations = attention.Iterations;
        var products = iterations * 2 * batch * slots * positions * d; // S·kᵀ and A·X
        var gru = (iterations - 1) * batch * slots * 6 * d * d;           // input and hidden projections of 3 gates
        return products + gru;
    }

    private static Action Hook(nn.Module<Tensor, Tensor> module, Action<Tensor, Tensor> count)
    {
        var remover = module.register_forward_hook((_, input, output) =>
        {
            count(input, output);
            return output;
        });
        return remover.remove;
    }
}
