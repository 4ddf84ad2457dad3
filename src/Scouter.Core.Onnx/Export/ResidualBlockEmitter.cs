using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// A ResNet basic block or bottleneck of Scouter.Core or TorchVision, recognised by its children's state-dict names:
/// <c>relu(bn1(conv1 x))</c> → <c>bn2(conv2 ·)</c> → (bottleneck: <c>bn3(conv3 relu ·)</c>) → <c>+ shortcut</c> → ReLU,
/// where the shortcut is <c>downsample</c> when present and the input otherwise.
/// </summary>
/// <remarks>
/// The convolutions carry their own stride, padding, dilation and groups, so strided, dilated and grouped variants
/// (ResNeXt, Wide ResNet, output strides 8 and 16) export through the same code. The ReLU children have no state and
/// are recognised under the names TorchVision and Scouter.Core use; any other child makes the block unknown.
/// </remarks>
internal sealed class ResidualBlockEmitter : IModuleEmitter
{
    private static readonly string[] Required = ["conv1", "bn1", "conv2", "bn2"];
    private static readonly string[] Optional = ["conv3", "bn3", "downsample", "relu", "relu1", "relu2", "relu3"];

    public bool CanEmit(nn.Module module)
    {
        if (!ModuleChildren.IsKnownAssembly(module))
        {
            return false;
        }

        var children = ModuleChildren.Of(module);
        return ModuleChildren.Match(children, Required, Optional)
               && children["conv2"] is Conv2d
               && children.ContainsKey("conv3") == children.ContainsKey("bn3");
    }

    public string Emit(nn.Module module, string input, string path, ExportContext context)
    {
        var children = ModuleChildren.Of(module);
        var graph = context.Graph;
        string Child(string name, string value) => context.Emit(children[name], value, ExportContext.Child(path, name));

        var x = graph.Node("Relu", ExportContext.Child(path, "relu1"), [Child("bn1", Child("conv1", input))]);
        x = Child("bn2", Child("conv2", x));
        if (children.ContainsKey("conv3"))
        {
            x = Child("bn3", Child("conv3", graph.Node("Relu", ExportContext.Child(path, "relu2"), [x])));
        }

        var shortcut = children.ContainsKey("downsample") ? Child("downsample", input) : input;
        return graph.Node("Relu", ExportContext.Child(path, "relu"), [graph.Node("Add", ExportContext.Child(path, "add"), [x, shortcut])]);
    }
}
