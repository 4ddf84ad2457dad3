using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary><see cref="Sequential"/>: its children, in order.</summary>
internal sealed class SequentialEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Sequential;

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var value = input;
        foreach (var (name, child) in module.named_children())
        {
            value = context.Emit(child, value, ExportContext.Child(path, name));
        }

        return value;
    }
}
