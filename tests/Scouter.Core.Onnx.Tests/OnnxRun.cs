using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Scouter.Core.Onnx.Tests;

/// <summary>Runs an ONNX model in ONNX Runtime on a TorchSharp tensor and returns every output as a TorchSharp tensor.</summary>
internal sealed class OnnxRun : IDisposable
{
    private readonly InferenceSession session;

    public OnnxRun(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        session = new InferenceSession(model, options);
    }

    public OnnxRun(string path)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        session = new InferenceSession(path, options);
    }

    public InferenceSession Session => session;

    public IReadOnlyDictionary<string, string> Metadata => session.ModelMetadata.CustomMetadataMap;

    /// <summary>Runs the model on <paramref name="input"/> (float32) fed as <paramref name="inputName"/> (the first input by default).</summary>
    public Dictionary<string, Tensor> Run(Tensor input, string? inputName = null)
    {
        using var cpu = input.detach().to(ScalarType.Float32, CPU).contiguous();
        var dense = new DenseTensor<float>(cpu.data<float>().ToArray(), cpu.shape.Select(d => (int)d).ToArray());
        var name = inputName ?? session.InputMetadata.Keys.First();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, dense)]);
        return results.ToDictionary(r => r.Name, r =>
        {
            var output = r.AsTensor<float>();
            return tensor(output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
        });
    }

    public void Dispose() => session.Dispose();
}
