namespace Scouter.Core.Backbones;

/// <summary>
/// What a backbone is built for: the image channels it takes and its output stride. <see cref="BackboneRegistry"/>
/// hands these to the registered factory.
/// </summary>
/// <example>
/// <code>
/// using var backbone = BackboneRegistry.Default.Create("resnet18", new BackboneOptions { OutputStride = 8 });
/// var map = backbone.Features.call(images);   // [B, 512, 8, 8] for 64×64 images, instead of 2×2
/// </code>
/// </example>
public sealed record BackboneOptions
{
    /// <summary>The output stride of the published architectures: every built-in, unmodified, downsamples by 32.</summary>
    public const int DefaultOutputStride = 32;

    /// <summary>The output strides the built-in backbones support: 32, 16 and 8.</summary>
    public static IReadOnlyList<int> SupportedOutputStrides { get; } = [32, 16, 8];

    /// <summary>
    /// Image channels (default 3). The built-ins keep their own stem for 3 and swap in the <see cref="MnistStem"/>
    /// for any other count.
    /// </summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>
    /// How many input pixels one feature-map cell steps over: 32 (default, the architecture as published), 16 or 8.
    /// Below 32 the last stages keep their resolution and dilate their 3×3 convolutions instead, as TorchVision's
    /// <c>replace_stride_with_dilation</c> and timm's <c>output_stride</c> do: 16 dilates <c>layer4</c> (maps 2× finer),
    /// 8 dilates <c>layer3</c> and <c>layer4</c> (4× finer). Parameter names and shapes do not change, so the same
    /// weights load at every stride. For a backbone of your own, 32 means "as the factory builds it".
    /// </summary>
    public int OutputStride { get; init; } = DefaultOutputStride;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="InputChannels"/> is below 1, or <see cref="OutputStride"/> is not 32, 16 or 8.</exception>
    public void Validate()
    {
        if (InputChannels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(InputChannels), InputChannels, $"{nameof(BackboneOptions)}.{nameof(InputChannels)} must be at least 1; got {InputChannels}.");
        }

        ThrowIfUnsupported(OutputStride, nameof(OutputStride));
    }

    /// <summary>Throws the error every stride-taking API gives for a stride other than 32, 16 or 8.</summary>
    /// <param name="outputStride">The requested output stride.</param>
    /// <param name="parameterName">The caller's parameter, named in the exception.</param>
    internal static void ThrowIfUnsupported(int outputStride, string parameterName)
    {
        if (!SupportedOutputStrides.Contains(outputStride))
        {
            throw new ArgumentOutOfRangeException(parameterName, outputStride,
                $"The output stride must be 32 (the architecture as published), 16 (layer4 dilated) or 8 (layer3 and layer4 dilated); got {outputStride}.");
        }
    }
}
