using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// The tuned settings the CLI applies by default (docs/performance.md): glibc keeps freed memory for reuse
/// (<see cref="NativeAllocator"/>), and TorchVision ResNet-family backbones run on channels-last convolution weights
/// (<see cref="ChannelsLast"/>). Both are process or model settings an application chooses, not library defaults;
/// <c>--reuse_freed_memory false</c> and <c>--channels_last false</c> turn them off.
/// </summary>
internal static class PerformanceSettings
{
    /// <summary>Applies <c>--reuse_freed_memory</c>; call once, before the first tensor is allocated.</summary>
    public static void ConfigureAllocator(ParsedArguments args)
    {
        if (args.Boolean("reuse_freed_memory"))
        {
            NativeAllocator.ReuseFreedMemory();
        }
    }

    /// <summary>
    /// Whether <paramref name="model"/> gets channels-last convolution weights: <c>--channels_last</c> and a
    /// TorchVision ResNet, ResNeXt or Wide ResNet. ResNeSt's split attention reshapes channels, which channels-last
    /// tensors must copy: 28% slower per step there.
    /// </summary>
    public static bool UsesChannelsLast(bool channelsLastFlag, string model) =>
        channelsLastFlag && TorchVisionBackbones.Names.Contains(model, StringComparer.OrdinalIgnoreCase);
}
