// The stem the official SCOUTER code swaps in for MNIST (sloter/utils: bone.conv1 = nn.Conv2d(1, 64, 3, stride=2,
// padding=1, bias=False)), generalised here to any input channel count.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// The replacement first convolution for images that do not have 3 channels:
/// <c>Conv2d(inputChannels, 64, kernel 3, stride 2, padding 1, bias false)</c>, registered as <c>conv1</c>, so its
/// single state-dict entry is <c>conv1.weight [64, inputChannels, 3, 3]</c>.
/// </summary>
/// <remarks>
/// Compared with the 7×7 stride-2 stem it keeps more of a small image (28×28 MNIST digits reach layer4 as 1×1
/// instead of failing to reach it); it also replaces ResNeSt's three-convolution deep stem, as in the official code.
/// Pretrained 3-channel stem weights do not fit it, so it starts from its own initialisation.
/// </remarks>
public static class MnistStem
{
    /// <summary>Output channels of the stem (what <c>bn1</c> expects in every ResNet-family backbone here).</summary>
    public const int OutChannels = 64;

    /// <summary>
    /// Creates the stem convolution with PyTorch's default <c>Conv2d</c> initialisation: the official code swaps it in
    /// after the backbone has initialised its own weights, so it never gets the backbone's Kaiming initialisation.
    /// </summary>
    /// <param name="inputChannels">Channels of the input images (1 for MNIST).</param>
    public static Conv2d Create(int inputChannels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        return nn.Conv2d(inputChannels, OutChannels, kernel_size: 3, stride: 2, padding: 1, bias: false);
    }
}
