using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>Parameter-free elementwise modules: <see cref="ReLU"/> and <see cref="Identity"/>.</summary>
internal sealed class ActivationEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is ReLU or Identity;

    public string Emit(nn.Module module, string input, string path, ExportContext context) =>
        module is Identity ? input : context.Graph.Node("Relu", path, [input]);
}
