using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>Looks at a module's registered children by name, which is how the block emitters recognise a structure.</summary>
internal static class ModuleChildren
{
    public static IReadOnlyDictionary<string, nn.Module> Of(nn.Module module) =>
        module.named_children().ToDictionary(child => child.name, child => child.module, StringComparer.Ordinal);

    /// <summary>
    /// Whether the module has every one of <paramref name="required"/> and nothing outside <paramref name="required"/>
    /// and <paramref name="optional"/>: a block with a child the emitter does not know is not the block it knows.
    /// </summary>
    public static bool Match(IReadOnlyDictionary<string, nn.Module> children, IReadOnlyCollection<string> required, IReadOnlyCollection<string> optional) =>
        required.All(children.ContainsKey) && children.Keys.All(name => required.Contains(name) || optional.Contains(name));

    /// <summary>Whether the module's type comes from Scouter.Core or TorchVision, whose blocks' forward passes the emitters follow.</summary>
    public static bool IsKnownAssembly(nn.Module module)
    {
        var assembly = module.GetType().Assembly;
        return assembly == typeof(Scouter.Core.Modules.ScouterModel).Assembly || assembly.GetName().Name == "TorchVision";
    }
}
