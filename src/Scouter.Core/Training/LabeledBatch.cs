using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>One batch of images <c>[B, C, H, W]</c> and integer labels <c>[B]</c>. Disposing it disposes both.</summary>
/// <param name="Images">Normalised images <c>[B, C, H, W]</c>.</param>
/// <param name="Labels">Class indices <c>[B]</c>.</param>
public sealed record LabeledBatch(Tensor Images, Tensor Labels) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
