using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Puts convolution weights (and, on request, image batches) in the channels-last memory layout (NHWC strides,
/// same shapes and values), which LibTorch's oneDNN convolutions run on directly instead of reordering every
/// activation into their blocked layout and back. TorchSharp 0.107 has no memory-format API, so the layout is made
/// from strides. An opt-in: whether it pays depends on the network (docs/performance.md): about 6–10% less CPU time
/// per resnet18 training step at 260 px, nothing at 64 px, and about 28% more for ResNeSt-26d, whose split attention
/// reshapes channels.
/// </summary>
/// <remarks>
/// Nothing else changes: parameter objects, names, shapes, <c>requires_grad</c> and state-dict contents stay the same,
/// Scouter.Core's checkpoints are written in the usual contiguous layout, and loading copies values into the
/// channels-last weights. TorchSharp's own <c>Module.save</c>, however, refuses non-contiguous tensors ("Bytes()
/// called on non-contiguous tensor"); <see cref="Use"/> converts for the duration of a scope only.
/// </remarks>
/// <example>
/// <code>
/// using (ChannelsLast.Use(model))      // before the loop; the optimizer may already exist
/// {
///     foreach (var batch in batches) { /* forward, loss, backward, step */ }
/// }
/// model.save("model.bin");             // contiguous again
/// </code>
/// </example>
public static class ChannelsLast
{
    /// <summary>
    /// Re-strides every 4-D <see cref="Conv2d"/> weight of <paramref name="module"/> to channels-last in place (the
    /// parameter objects are kept, so an optimizer already holding them stays valid).
    /// </summary>
    /// <param name="module">A model or backbone.</param>
    /// <returns>How many weights were re-strided (those already channels-last are skipped).</returns>
    public static int ConvertConvolutions(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var converted = 0;
        using var noGrad = no_grad();
        foreach (var weight in ConvolutionWeights(module).Where(w => !IsChannelsLast(w)))
        {
            using var restrided = Copy(weight);
            weight.set_(restrided);
            converted++;
        }

        return converted;
    }

    /// <summary>
    /// Converts the convolution weights of <paramref name="module"/> to channels-last until the returned scope is
    /// disposed, then restores the contiguous layout of the weights it converted (values are kept either way).
    /// </summary>
    /// <param name="module">A model or backbone.</param>
    /// <returns>The scope; dispose it before saving the model with TorchSharp's <c>Module.save</c>.</returns>
    public static IDisposable Use(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var converted = new List<Tensor>();
        using (no_grad())
        {
            foreach (var weight in ConvolutionWeights(module).Where(w => !IsChannelsLast(w)))
            {
                using var restrided = Copy(weight);
                weight.set_(restrided);
                converted.Add(weight);
            }
        }

        return new Scope(converted);
    }

    /// <summary>A channels-last copy of a 4-D tensor <c>[N, C, H, W]</c>: same shape and values, NHWC strides.</summary>
    /// <param name="tensor">A 4-D tensor.</param>
    /// <exception cref="ArgumentException">The tensor is not 4-D.</exception>
    public static Tensor Copy(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4)
        {
            throw new ArgumentException($"Channels-last needs a 4-D tensor [N, C, H, W]; got [{string.Join(", ", tensor.shape)}].", nameof(tensor));
        }

        var copy = empty_strided(tensor.shape, Strides(tensor.shape), tensor.dtype, tensor.device);
        using (no_grad())
        {
            copy.copy_(tensor);
        }

        return copy;
    }

    /// <summary>Whether a 4-D tensor has channels-last strides (size-1 dimensions' strides are ignored).</summary>
    /// <param name="tensor">The tensor.</param>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4)
        {
            return false;
        }

        var expected = Strides(tensor.shape);
        var actual = tensor.stride();
        for (var i = 0; i < 4; i++)
        {
            if (tensor.shape[i] != 1 && actual[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<Tensor> ConvolutionWeights(nn.Module module) =>
        module.modules().OfType<Conv2d>().Select(conv => conv.weight).OfType<Tensor>().Where(w => w.dim() == 4);

    private static long[] Strides(long[] shape)
    {
        long c = shape[1], h = shape[2], w = shape[3];
        return [h * w * c, 1, w * c, c];
    }

    private sealed class Scope(List<Tensor> converted) : IDisposable
    {
        public void Dispose()
        {
            using var noGrad = no_grad();
            foreach (var weight in converted.Where(w => !w.IsInvalid))
            {
                using var contiguous = weight.contiguous();
                weight.set_(contiguous);
            }

            converted.Clear();
        }
    }
}
