using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// The FC baseline head the paper compares against: global average pooling over the feature map, then
/// <c>Linear(C, n)</c>. It has no attention; its explanations come from post-hoc methods such as Grad-CAM.
/// </summary>
public sealed class FcClassifierHead : ClassifierHead
{
    private readonly Linear fc;

    private readonly int channels;
    private readonly int numClasses;

    private FcClassifierHead(int channels, int numClasses, Device? device) : base(nameof(FcClassifierHead))
    {
        this.channels = channels;
        this.numClasses = numClasses;
        fc = nn.Linear(channels, numClasses);
        RegisterComponents();

        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>Creates the FC head.</summary>
    /// <param name="channels">Feature-map channels <c>C</c> (≥ 1).</param>
    /// <param name="numClasses">Classes <c>n</c> (≥ 1).</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    public static FcClassifierHead Create(int channels, int numClasses, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        return new FcClassifierHead(channels, numClasses, device);
    }

    /// <inheritdoc />
    public override int NumClasses => numClasses;

    /// <inheritdoc />
    public override int Channels => channels;

    /// <inheritdoc />
    public override HeadOutput ForwardDetailed(Tensor features)
    {
        TensorChecks.Rank(features, 4, nameof(FcClassifierHead), $"a feature map [B, C = {channels}, h, w]", nameof(features));
        TensorChecks.FloatingPoint(features, nameof(FcClassifierHead), nameof(features));
        if (features.shape[1] != channels)
        {
            throw new ArgumentException($"{nameof(FcClassifierHead)} was built for C = {channels} feature channels; got {TensorChecks.Describe(features)}.", nameof(features));
        }

        TensorChecks.NonEmptySpatial(features, nameof(FcClassifierHead), nameof(features));

        using var scope = NewDisposeScope();
        var pooled = features.mean([2L, 3L]);
        var scores = fc.call(pooled);
        return new HeadOutput(scores, null, null).MoveToOuterDisposeScope();
    }
}
