using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

public static class StateDictAssert
{
    /// <summary>
    /// The module's state dict has exactly the expected names with the expected shapes, and its parameters come in
    /// PyTorch's order. (TorchSharp lists all parameters before all buffers in <c>state_dict()</c>, PyTorch interleaves
    /// them module by module; loading goes by name, so only the set of entries matters there.)
    /// </summary>
    public static void Matches(nn.Module module, IReadOnlyList<(string Name, long[] Shape)> expected)
    {
        var actual = module.state_dict().ToDictionary(e => e.Key, e => e.Value.shape);

        actual.Keys.Should().BeEquivalentTo(expected.Select(k => k.Name));
        foreach (var (name, shape) in expected)
        {
            actual[name].Should().Equal(shape, $"shape of {name}");
        }

        var parameterNames = module.named_parameters().Select(p => p.name).ToList();
        parameterNames.Should().Equal(expected.Select(k => k.Name).Where(parameterNames.Contains), "parameters in PyTorch's order");
    }
}
