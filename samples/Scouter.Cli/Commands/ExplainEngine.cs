using Scouter.Cli.Arguments;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>--engine</c> of <c>explain --jsonl</c>: which runtime computes the forward pass. <c>torchsharp</c> (the default)
/// runs the model itself on any device; <c>onnxruntime</c> runs it exported to ONNX, on the CPU
/// (<see cref="OnnxRuntimeForward"/>, docs/bulk-explanation.md).
/// </summary>
internal static class ExplainEngine
{
    public const string TorchSharp = "torchsharp";

    public const string OnnxRuntime = "onnxruntime";

    /// <summary>
    /// Reads <c>--engine</c> and checks what it is combined with. For ONNX Runtime the model is loaded on the CPU
    /// (<c>--device auto</c> becomes <c>cpu</c>): it only serves the export there.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="onnxRuntime">Whether ONNX Runtime computes the forward pass.</param>
    /// <returns>The command line to load the checkpoint with.</returns>
    public static ParsedArguments Resolve(ParsedArguments args, out bool onnxRuntime)
    {
        var engine = args.Text("engine") ?? TorchSharp;
        onnxRuntime = engine.Trim().ToLowerInvariant() switch
        {
            TorchSharp => false,
            OnnxRuntime => true,
            _ => throw new UsageException($"--engine must be {TorchSharp} or {OnnxRuntime}; got '{engine}'."),
        };
        if (!onnxRuntime)
        {
            return args;
        }

        if (args.Text("jsonl") is null)
        {
            throw new UsageException($"--engine {OnnxRuntime} applies to explain --jsonl (a whole split or folder); explaining one image runs on TorchSharp.");
        }

        var device = args.Text("device") ?? ComputeDevice.Auto;
        if (string.Equals(device.Trim(), ComputeDevice.Auto, StringComparison.OrdinalIgnoreCase))
        {
            return args.With(new Dictionary<string, string> { ["device"] = "cpu" });
        }

        return string.Equals(device.Trim(), "cpu", StringComparison.OrdinalIgnoreCase)
            ? args
            : throw new UsageException($"--engine {OnnxRuntime} runs the forward pass on the CPU only; --device {device} asks for another device. Keep the default engine ({TorchSharp}) for CUDA, or pass --device cpu.");
    }
}
