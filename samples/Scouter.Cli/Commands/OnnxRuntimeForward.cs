using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Modules;
using Scouter.Core.Onnx;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>
/// The forward pass of <c>explain --jsonl --engine onnxruntime</c>: the checkpoint's model exported to ONNX in memory
/// (Scouter.Core.Onnx) and run by ONNX Runtime on the CPU, with as many intra-op threads as LibTorch was given
/// (<c>--threads</c>). <see cref="BulkExplainer"/> builds the records from its scores and class maps as from the
/// model's own. ONNX Runtime fuses each convolution with its batch norm and ReLU and keeps activations in its blocked
/// layout between convolutions, which LibTorch's eager kernels do not (docs/performance.md).
/// </summary>
internal sealed class OnnxRuntimeForward : IDisposable
{
    private static readonly string[] InputNames = [OnnxNames.Images];
    private static readonly string[] OutputNames = [OnnxNames.Scores, OnnxNames.ClassMaps];

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly long[] image;
    private readonly long[] map;

    private OnnxRuntimeForward(InferenceSession session, long[] image, long[] map)
    {
        this.session = session;
        this.image = image;
        this.map = map;
    }

    /// <summary>Exports a model and opens an ONNX Runtime session on it.</summary>
    /// <param name="model">The model; its parameters are read, its training mode is left as it was.</param>
    /// <param name="transform">The model's evaluation transform: its image size, channels and normalisation fix the graph's input.</param>
    /// <param name="source">Where the model came from (the checkpoint), for the messages.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads.</param>
    /// <param name="logger">Told how long the export and the session creation took.</param>
    /// <exception cref="CliException">The model cannot be exported, or ONNX Runtime cannot load the export.</exception>
    public static OnnxRuntimeForward Create(ScouterModel model, ImageTransform transform, string source, int threads, ILogger logger)
    {
        var size = transform.ImageSize;
        var channels = transform.Normalization.Mean.Count;
        var options = new OnnxExportOptions
        {
            ImageHeight = size,
            ImageWidth = size,
            InputChannels = channels,
            Normalization = transform.Normalization,
            IncludeUpsampledMaps = false, // the records quantise the maps at their own resolution
        };

        var clock = Stopwatch.StartNew();
        byte[] bytes;
        try
        {
            bytes = ScouterOnnxExporter.ToBytes(model, options);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            throw new CliException($"--engine {ExplainEngine.OnnxRuntime}: the model of {source} cannot be exported to ONNX: {e.Message} The default engine ({ExplainEngine.TorchSharp}) explains it.");
        }

        var exported = clock.Elapsed;
        clock.Restart();
        InferenceSession session;
        using (var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        })
        {
            try
            {
                session = new InferenceSession(bytes, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new CliException($"--engine {ExplainEngine.OnnxRuntime}: ONNX Runtime cannot load the model exported from {source}: {e.Message}");
            }
        }

        try
        {
            var dimensions = session.OutputMetadata[OnnxNames.ClassMaps].Dimensions;
            var forward = new OnnxRuntimeForward(session, [channels, size, size], [model.Head.NumClasses, dimensions[2], dimensions[3]]);
            logger.LogInformation("ONNX Runtime engine (CPU, {Threads} intra-op thread(s)): model exported in memory in {Export:F2} s ({Megabytes:F1} MB), session created in {Session:F2} s",
                threads, exported.TotalSeconds, bytes.Length / 1e6, clock.Elapsed.TotalSeconds);
            return forward;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Scores <c>[B, n]</c> and class maps <c>[B, n, h, w]</c> of a batch of transformed images, as new CPU tensors of the current dispose scope.</summary>
    /// <param name="images">Images <c>[B, C, H, W]</c> at the exported size.</param>
    public HeadOutput Forward(Tensor images)
    {
        if (images.dim() != 4 || !images.shape.AsSpan(1).SequenceEqual(image))
        {
            throw new ArgumentException($"The exported model takes images [B, {string.Join(", ", image)}]; got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        var batch = images.shape[0];
        using var input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, .. image]);
        images.to(ScalarType.Float32, CPU).contiguous().bytes.CopyTo(input.GetTensorMutableRawData());
        using var outputs = session.Run(runOptions, InputNames, [input], OutputNames);
        return new HeadOutput(ToTensor(outputs[0], [batch, map[0]]), null, ToTensor(outputs[1], [batch, .. map]));
    }

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }

    private static Tensor ToTensor(OrtValue value, long[] shape)
    {
        var actual = value.GetTensorTypeAndShape().Shape;
        if (!actual.AsSpan().SequenceEqual(shape))
        {
            throw new InvalidOperationException($"ONNX Runtime returned [{string.Join(", ", actual)}] where [{string.Join(", ", shape)}] was expected.");
        }

        var tensor = empty(shape, ScalarType.Float32);
        MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<float>()).CopyTo(tensor.bytes);
        return tensor;
    }
}
