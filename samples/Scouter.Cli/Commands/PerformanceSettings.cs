using Scouter.Cli.Arguments;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// The speed settings of a run: what <see cref="PerformanceDefaults"/> chooses for this machine and model, unless
/// <c>--reuse_freed_memory</c> or <c>--channels_last</c> says otherwise (docs/performance.md).
/// </summary>
internal static class PerformanceSettings
{
    /// <summary>Applies <c>--reuse_freed_memory</c> or the default; call once, before the first tensor is allocated.</summary>
    public static void ConfigureAllocator(ParsedArguments args)
    {
        if (args.OptionalBoolean("reuse_freed_memory") ?? PerformanceDefaults.FreedMemoryReuse().Enabled)
        {
            NativeAllocator.ReuseFreedMemory();
        }
    }

    /// <summary>Whether the model's convolution weights go channels-last: <c>--channels_last</c> when given, else the default for this machine.</summary>
    public static PerformanceChoice ConvolutionLayout(ParsedArguments args) =>
        Forced(args) ?? PerformanceDefaults.ConvolutionLayout(args.Text("model")!, args.Integer("img_size"));

    /// <summary>The same for a model that only runs forward passes without gradients (<c>explain</c>): the inference rule.</summary>
    public static PerformanceChoice InferenceConvolutionLayout(ParsedArguments args) =>
        Forced(args) ?? PerformanceDefaults.InferenceConvolutionLayout(args.Text("model")!);

    private static PerformanceChoice? Forced(ParsedArguments args) =>
        args.OptionalBoolean("channels_last") is { } forced
            ? new PerformanceChoice(forced, forced ? "channels-last convolution weights (--channels_last true)" : "plain layout (--channels_last false)")
            : null;
}
