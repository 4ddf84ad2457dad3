using static TorchSharp.torch;

namespace Scouter.Core.Data.Transforms;

/// <summary>Per-channel <c>(x − mean) / std</c> on images scaled to [0, 1], with the official data sets' constants.</summary>
/// <remarks>
/// Builds its small mean/std tensors at each call instead of caching them: a cached tensor created inside a
/// caller's dispose scope would be freed with it (TorchSharp's own <c>Normalize</c> fails that way).
/// </remarks>
public sealed class Normalization
{
    /// <summary>Creates a normalisation.</summary>
    /// <param name="mean">Per-channel means.</param>
    /// <param name="std">Per-channel standard deviations (positive).</param>
    public Normalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"Normalization needs one mean and one std per channel; got {mean.Count} mean(s) and {std.Count} std(s).", nameof(std));
        }

        if (std.Any(s => !(s > 0)))
        {
            throw new ArgumentOutOfRangeException(nameof(std), $"Normalization std must be positive; got [{string.Join(", ", std)}].");
        }

        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>MNIST's mean 0.1307 and std 0.3081 (one channel).</summary>
    public static Normalization Mnist { get; } = new([0.1307], [0.3081]);

    /// <summary>ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), used for every RGB data set.</summary>
    public static Normalization ImageNet { get; } = new([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    /// <summary>Per-channel means.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel standard deviations.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Normalises <c>[C, H, W]</c> or <c>[B, C, H, W]</c> values in [0, 1]; returns a new tensor.</summary>
    /// <param name="image">Float image(s) whose channel count equals <see cref="Mean"/>'s.</param>
    public Tensor Apply(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var channelDim = image.dim() - 3;
        if (channelDim < 0 || image.shape[channelDim] != Mean.Count)
        {
            throw new ArgumentException($"Normalization has {Mean.Count} channel(s) and expects [C = {Mean.Count}, H, W] or [B, C, H, W]; got [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var mean = tensor(Mean.Select(m => (float)m).ToArray(), image.dtype, image.device).view(-1, 1, 1);
        var std = tensor(Std.Select(s => (float)s).ToArray(), image.dtype, image.device).view(-1, 1, 1);
        return image.sub(mean).div_(std).MoveToOuterDisposeScope();
    }

    /// <summary>Undoes <see cref="Apply"/>: returns values in [0, 1] (for display).</summary>
    /// <param name="image">Normalised image(s).</param>
    public Tensor Invert(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        var mean = tensor(Mean.Select(m => (float)m).ToArray(), image.dtype, image.device).view(-1, 1, 1);
        var std = tensor(Std.Select(s => (float)s).ToArray(), image.dtype, image.device).view(-1, 1, 1);
        return (image * std + mean).MoveToOuterDisposeScope();
    }
}
