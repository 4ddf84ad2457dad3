using Scouter.Core.Backbones;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

public sealed class ParameterCountsTests
{
    [Fact]
    public void Of_CountsElementsOfTrainableAndFrozenParametersButNoBuffers()
    {
        // Linear(3, 2): 6 + 2; BatchNorm1d(5): 5 + 5 parameters (running statistics are buffers).
        var module = nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(5)));
        module.named_parameters().Single(p => p.name == "fc.weight").parameter.requires_grad_(false);

        var counts = ParameterCounts.Of(module);

        counts.Should().Be(new ParameterCounts(Trainable: 12, Total: 18));
        counts.Frozen.Should().Be(6);
    }
}
