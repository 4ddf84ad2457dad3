using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>Translates one kind of module's eval-mode forward pass into ONNX nodes.</summary>
internal interface IModuleEmitter
{
    /// <summary>Whether this emitter knows <paramref name="module"/>.</summary>
    bool CanEmit(nn.Module module);

    /// <summary>Adds the module's nodes and returns the name of its output value.</summary>
    /// <param name="module">A module <see cref="CanEmit"/> accepted.</param>
    /// <param name="input">Name of the input value.</param>
    /// <param name="path">The module's state-dict path (names its initializers and nodes).</param>
    /// <param name="context">Emits submodules and holds the graph.</param>
    string Emit(nn.Module module, string input, string path, ExportContext context);
}
