using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Internal;

/// <summary>
/// Input checks that turn what would be a native LibTorch error (or, worse, a silent broadcast)
/// into an <see cref="ArgumentException"/> naming what was expected and what was found.
/// </summary>
internal static class TensorChecks
{
    public static string Describe(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}] {tensor.dtype}";

    public static void NotNull(Tensor? tensor, string paramName)
    {
        if (tensor is null)
        {
            throw new ArgumentNullException(paramName);
        }

        if (tensor.IsInvalid)
        {
            throw new ObjectDisposedException(paramName, $"The tensor passed as '{paramName}' has already been disposed.");
        }
    }

    public static void Rank(Tensor tensor, int rank, string what, string layout, string paramName)
    {
        NotNull(tensor, paramName);
        if (tensor.dim() != rank)
        {
            throw new ArgumentException($"{what} expects {layout} (rank {rank}); got {Describe(tensor)}.", paramName);
        }
    }

    public static void FloatingPoint(Tensor tensor, string what, string paramName)
    {
        if (!tensor.is_floating_point())
        {
            throw new ArgumentException($"{what} expects a floating-point tensor; got {Describe(tensor)}.", paramName);
        }
    }

    public static void NonEmptySpatial(Tensor tensor, string what, string paramName)
    {
        if (tensor.shape[0] == 0 || tensor.shape[2] == 0 || tensor.shape[3] == 0)
        {
            throw new ArgumentException($"{what} expects a non-empty feature map (batch, height and width at least 1); got {Describe(tensor)}.", paramName);
        }
    }

    public static void SameDevice(Tensor tensor, Device expected, string what, string paramName)
    {
        if (tensor.device_type != expected.type || (expected.type != DeviceType.CPU && tensor.device_index != expected.index))
        {
            throw new ArgumentException($"{what} lives on {expected}; the input is on {tensor.device}. Move one of them with .to(device).", paramName);
        }
    }
}
