using Scouter.Core.Data.Transforms;

namespace Scouter.Core.Onnx;

/// <summary>
/// Converts the images a Scouter.Core pipeline produces (normalised with <see cref="Source"/>) into the input an
/// imported ONNX graph was trained on: back to pixels in <c>[0, <see cref="PixelScale"/>]</c>, channels reordered by
/// <see cref="ChannelOrder"/>, then <c>(pixel − <see cref="Mean"/>) / <see cref="Std"/></c> per target channel. It is
/// one per-channel affine map and a channel permutation, computed in the imported module's forward pass.
/// </summary>
/// <param name="Source">The normalisation the data pipeline applies (ImageNet's for RGB data sets).</param>
/// <param name="PixelScale">Pixel range the graph expects: 1 for <c>[0, 1]</c>, 255 for 8-bit values.</param>
/// <param name="ChannelOrder">For each graph input channel, the source channel it takes (<c>[2, 1, 0]</c> turns RGB into BGR).</param>
/// <param name="Mean">Per graph channel, subtracted after scaling.</param>
/// <param name="Std">Per graph channel, divided by after subtracting the mean.</param>
public sealed record OnnxInputConversion(Normalization Source, double PixelScale, IReadOnlyList<int> ChannelOrder, IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>
    /// The preprocessing of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>'s ResNet-18 (a CNTK model): BGR pixels in
    /// <c>[0, 255]</c> minus the per-channel means of the package's 224×224 mean image (B 103.06, G 115.90, R 123.15),
    /// from images normalised with ImageNet's constants. The package subtracts the mean <em>image</em>, whose pixels
    /// differ from these means by up to about ten levels; the per-channel mean is what works at every input size.
    /// </summary>
    public static OnnxInputConversion MlNetResNet { get; } = new(Normalization.ImageNet, 255, [2, 1, 0], [103.06262, 115.902885, 123.151634], [1, 1, 1]);

    /// <summary>Checks the lists fit each other and <see cref="Source"/>.</summary>
    /// <exception cref="ArgumentException">A list has the wrong length, an index is out of range or a value is not positive.</exception>
    public void Validate()
    {
        var sourceChannels = Source.Mean.Count;
        if (ChannelOrder.Count == 0 || Mean.Count != ChannelOrder.Count || Std.Count != ChannelOrder.Count)
        {
            throw new ArgumentException($"OnnxInputConversion needs one channel index, mean and std per graph channel; got {ChannelOrder.Count}, {Mean.Count} and {Std.Count}.");
        }

        if (ChannelOrder.Any(c => c < 0 || c >= sourceChannels))
        {
            throw new ArgumentException($"OnnxInputConversion.ChannelOrder [{string.Join(", ", ChannelOrder)}] refers to channels the {sourceChannels}-channel source does not have.");
        }

        if (!(PixelScale > 0) || Std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("OnnxInputConversion.PixelScale and every Std must be positive.");
        }
    }
}
