using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>How many scalar parameters a module has, and how many of them will be trained.</summary>
/// <param name="Trainable">Elements of parameters with <c>requires_grad</c> set.</param>
/// <param name="Total">Elements of all parameters (buffers such as BN running statistics excluded).</param>
public readonly record struct ParameterCounts(long Trainable, long Total)
{
    /// <summary>Elements of parameters that are frozen (<c>requires_grad</c> off).</summary>
    public long Frozen => Total - Trainable;

    /// <summary>Counts the parameters of <paramref name="module"/> and its descendants.</summary>
    /// <param name="module">Any module.</param>
    public static ParameterCounts Of(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        long trainable = 0, total = 0;
        foreach (var parameter in module.parameters())
        {
            total += parameter.numel();
            if (parameter.requires_grad)
            {
                trainable += parameter.numel();
            }
        }

        return new ParameterCounts(trainable, total);
    }
}
