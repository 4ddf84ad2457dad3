using static TorchSharp.torch;

namespace Scouter.Core.Tests.Support;

public static class Parameters
{
    /// <summary>Sets a module's parameter by state-dict name (shape checked).</summary>
    public static void Set(nn.Module module, string name, float[] values, params long[] shape)
    {
        var parameter = module.named_parameters().Single(p => p.name == name).parameter;
        parameter.shape.Should().Equal(shape, $"{name} shape");
        using var noGrad = no_grad();
        using var value = tensor(values).reshape(shape);
        parameter.copy_(value);
    }
}
