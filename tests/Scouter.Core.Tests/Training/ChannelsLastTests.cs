using Scouter.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

public sealed class ChannelsLastTests
{
    private static nn.Module<Tensor, Tensor> NewModel()
    {
        manual_seed(3);
        return nn.Sequential(
            ("conv1", nn.Conv2d(3, 4, 3, padding: 1)),
            ("bn", nn.BatchNorm2d(4)),
            ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 6, 3, stride: 2, groups: 2, bias: false)));
    }

    [Fact]
    public void ConvertConvolutions_KeepsParameterObjectsValuesAndGradients()
    {
        using var reference = NewModel();
        using var model = NewModel();
        var conv1Weight = model.named_parameters().Single(p => p.name == "conv1.weight").parameter;
        model.named_parameters().Single(p => p.name == "conv1.bias").parameter.requires_grad_(false);
        var before = model.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());

        ChannelsLast.ConvertConvolutions(model).Should().Be(2);

        var after = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        after["conv1.weight"].Should().BeSameAs(conv1Weight, "an optimizer holding the parameter must stay valid");
        ChannelsLast.IsChannelsLast(after["conv1.weight"]).Should().BeTrue();
        ChannelsLast.IsChannelsLast(after["conv2.weight"]).Should().BeTrue();
        after["conv1.weight"].stride().Should().Equal(27, 1, 9, 3); // [4, 3, 3, 3] in NHWC order
        after["conv1.bias"].requires_grad.Should().BeFalse();
        foreach (var (name, tensor) in model.state_dict())
        {
            tensor.eq(before[name]).all().item<bool>().Should().BeTrue($"{name} keeps its values");
        }

        using var input = randn(2, 3, 7, 7);
        using var expected = reference.call(input);
        using var actual = model.call(input);
        expected.sum().backward();
        actual.sum().backward();
        actual.allclose(expected, rtol: 1e-5, atol: 1e-5).Should().BeTrue();
        var referenceGrad = reference.named_parameters().Single(p => p.name == "conv2.weight").parameter.grad!;
        after["conv2.weight"].grad!.allclose(referenceGrad, rtol: 1e-4, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void Use_RestoresContiguousWeightsOnDispose_SoTorchSharpsSaveWorks()
    {
        using var model = NewModel();
        var weight = model.named_parameters().Single(p => p.name == "conv1.weight").parameter;
        using (ChannelsLast.Use(model))
        {
            ChannelsLast.IsChannelsLast(weight).Should().BeTrue();
            weight.is_contiguous().Should().BeFalse();
        }

        weight.is_contiguous().Should().BeTrue();
        var path = Path.Combine(Path.GetTempPath(), $"channels-last-{Guid.NewGuid():N}.bin");
        try
        {
            model.save(path);
            using var restored = nn.Sequential(
                ("conv1", nn.Conv2d(3, 4, 3, padding: 1)),
                ("bn", nn.BatchNorm2d(4)),
                ("relu", nn.ReLU()),
                ("conv2", nn.Conv2d(4, 6, 3, stride: 2, groups: 2, bias: false)));
            restored.load(path);

            var saved = model.state_dict();
            foreach (var (name, tensor) in restored.state_dict())
            {
                tensor.eq(saved[name]).all().item<bool>().Should().BeTrue($"{name} round-trips");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ConvertConvolutions_SecondCall_FindsNothingToDo()
    {
        using var model = NewModel();
        ChannelsLast.ConvertConvolutions(model);

        ChannelsLast.ConvertConvolutions(model).Should().Be(0);
    }

    [Fact]
    public void Copy_GivesNhwcStridesAndTheSameValues()
    {
        using var images = arange(2 * 3 * 2 * 2, dtype: ScalarType.Float32).view(2, 3, 2, 2);

        using var copy = ChannelsLast.Copy(images);

        copy.stride().Should().Equal(12, 1, 6, 3);
        copy.eq(images).all().item<bool>().Should().BeTrue();
        ChannelsLast.IsChannelsLast(images).Should().BeFalse();
    }

    [Fact]
    public void Copy_OfANon4DTensor_SaysWhatItNeeds()
    {
        using var vector = zeros(5);

        var act = () => ChannelsLast.Copy(vector);

        act.Should().Throw<ArgumentException>().WithMessage("*4-D tensor [N, C, H, W]; got [5]*");
    }
}
