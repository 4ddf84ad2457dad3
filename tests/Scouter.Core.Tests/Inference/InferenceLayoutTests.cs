using Scouter.Core.Backbones;
using Scouter.Core.Training;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Inference;

public sealed class InferenceLayoutTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void WhereTheInferenceRuleChoosesChannelsLast_TheNetworkGivesThePlainLayoutsOutputs(string name)
    {
        var choice = PerformanceDefaults.InferenceConvolutionLayout(name);
        if (!choice.Enabled)
        {
            // Nothing is run channels-last where the rule declines: on a CPU that hides its caches oneDNN's channels-last
            // kernels compute wrong results (AVX-512) or crash the process (AVX2, resnet50) for some of these shapes.
            choice.Reason.Should().StartWith("plain layout");
            return;
        }

        // The self-check probes two convolutions; this runs every convolution shape of the network both ways, on the
        // kernels this process runs (ONEDNN_MAX_CPU_ISA / ATEN_CPU_CAPABILITY included).
        manual_seed(5);
        using var backbone = BackboneRegistry.Default.Create(name);
        backbone.Features.eval();
        using var images = randn(2, 3, 64, 64);
        using var inference = inference_mode();
        using var plain = backbone.Features.call(images);
        Tensor channelsLast;
        using (ChannelsLast.Use(backbone.Features))
        {
            channelsLast = backbone.Features.call(images);
        }

        using (channelsLast)
        {
            var difference = (channelsLast - plain).abs().max().item<float>() / plain.abs().max().item<float>();
            difference.Should().BeLessThan(1e-4f, $"{choice.Reason}: channels-last must compute what the plain layout computes");
        }
    }
}
