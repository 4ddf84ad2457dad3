// How the four stages of a ResNet-family network reach an output stride, as timm's make_blocks computes it
// (pytorch-image-models, timm/models/resnet.py) and TorchVision's replace_stride_with_dilation = [False, os <= 8,
// os <= 16] gives the same: once the stem and earlier stages have downsampled by the requested stride, each further
// stage keeps stride 1 and multiplies the dilation by the stride it gave up. Within a stage, the first block's 3×3
// convolution still uses the previous stage's dilation (its receptive field joins the earlier, finer grid).
namespace Scouter.Core.Backbones;

/// <summary>Stride and dilations of one ResNet stage (<c>layer1</c> … <c>layer4</c>).</summary>
/// <param name="Stride">Stride of the stage's first block: 1 for layer1 and for dilated stages, else 2.</param>
/// <param name="Dilation">Dilation of the 3×3 convolutions of every block but the first one's first.</param>
/// <param name="FirstDilation">Dilation of the first block's first 3×3 convolution (the previous stage's dilation).</param>
internal readonly record struct StageLayout(int Stride, int Dilation, int FirstDilation)
{
    // The stem (a stride-2 convolution and a stride-2 max pool) downsamples by 4 before layer1.
    private const int StemStride = 4;

    /// <summary>The four stages' layouts for <paramref name="outputStride"/> (32, 16 or 8).</summary>
    /// <param name="outputStride">The requested output stride.</param>
    /// <exception cref="ArgumentOutOfRangeException">The stride is not 32, 16 or 8.</exception>
    public static IReadOnlyList<StageLayout> ForOutputStride(int outputStride)
    {
        BackboneOptions.ThrowIfUnsupported(outputStride, nameof(outputStride));
        var layouts = new StageLayout[4];
        int netStride = StemStride, dilation = 1;
        for (var stage = 0; stage < layouts.Length; stage++)
        {
            var previousDilation = dilation;
            var stride = stage == 0 ? 1 : 2;
            if (netStride >= outputStride)
            {
                dilation *= stride;
                stride = 1;
            }
            else
            {
                netStride *= stride;
            }

            layouts[stage] = new StageLayout(stride, dilation, previousDilation);
        }

        return layouts;
    }
}
