using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// ResNeSt's bottleneck, recognised by its children's names: <c>act1(bn1(conv1 x))</c> → split attention
/// <c>conv2</c> → <c>avd_last</c> when the block downsamples → <c>bn3(conv3 ·)</c> → <c>+ shortcut</c> → ReLU.
/// </summary>
internal sealed class ResNeStBottleneckEmitter : IModuleEmitter
{
    private static readonly string[] Required = ["conv1", "bn1", "conv2", "conv3", "bn3"];
    private static readonly string[] Optional = ["act1", "act3", "avd_last", "downsample"];

    public bool CanEmit(nn.Module module)
    {
        if (!ModuleChildren.IsKnownAssembly(module))
        {
            return false;
        }

        var children = ModuleChildren.Of(module);
        return ModuleChildren.Match(children, Required, Optional) && children["conv2"] is not Conv2d;
    }

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var children = ModuleChildren.Of(module);
        var graph = context.Graph;
        string Child(string name, string value) => context.Emit(children[name], value, ExportContext.Child(path, name));

        var x = graph.Node("Relu", ExportContext.Child(path, "act1"), [Child("bn1", Child("conv1", input))]);
        x = Child("conv2", x);
        if (children.ContainsKey("avd_last"))
        {
            x = Child("avd_last", x);
        }

        x = Child("bn3", Child("conv3", x));
        var shortcut = children.ContainsKey("downsample") ? Child("downsample", input) : input;
        return graph.Node("Relu", ExportContext.Child(path, "act3"), [graph.Node("Add", ExportContext.Child(path, "add"), [x, shortcut])]);
    }
}
