using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations.Rendering;

/// <summary>Fixtures/explanations/rendering.json, made by make_rendering_fixtures.py with OpenCV, matplotlib and Pillow.</summary>
public static class RenderingFixture
{
    private static readonly Lazy<Fixture> Loaded = new(() => Fixture.Load("explanations/rendering"));

    public static Tensor Float(string name) => Loaded.Value.Tensor(name);

    public static Tensor Bytes(string name)
    {
        using var values = Loaded.Value.Tensor(name);
        return values.to(ScalarType.Byte);
    }

    public static byte[] Array(Tensor tensor)
    {
        using var contiguous = tensor.contiguous();
        return contiguous.data<byte>().ToArray();
    }
}
