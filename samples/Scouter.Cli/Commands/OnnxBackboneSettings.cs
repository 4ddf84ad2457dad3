using Scouter.Cli.Arguments;
using Scouter.Core.Backbones;
using Scouter.Core.Onnx;

namespace Scouter.Cli.Commands;

/// <summary><c>--model onnx:PATH</c> with <c>--onnx_output</c> and <c>--onnx_input</c>: an imported ONNX CNN as the backbone.</summary>
internal static class OnnxBackboneSettings
{
    public static bool IsOnnx(string model) => model.StartsWith(OnnxBackbones.NamePrefix, StringComparison.OrdinalIgnoreCase);

    public static Backbone Create(RunSettings settings, int inputChannels)
    {
        if (settings.OutputStride != BackboneOptions.DefaultOutputStride)
        {
            // An imported graph's strides are its own: dilating it would need a rewrite of the graph.
            throw new UsageException($"--output_stride {settings.OutputStride} needs a built-in backbone; an imported ONNX backbone (--model {settings.Model}) keeps the strides of its graph, so leave --output_stride at {BackboneOptions.DefaultOutputStride}.");
        }

        var path = settings.Model[OnnxBackbones.NamePrefix.Length..];
        var conversion = settings.OnnxInput switch
        {
            "normalized" => null,
            "mlnet_resnet" => OnnxInputConversion.MlNetResNet,
            var other => throw new UsageException($"--onnx_input must be normalized or mlnet_resnet; got '{other}'."),
        };

        Backbone backbone;
        try
        {
            backbone = OnnxBackbones.Create(path, new OnnxImportOptions { OutputName = settings.OnnxOutput, InputConversion = conversion }, settings.Model);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException)
        {
            throw new CliException($"--model {settings.Model}: {e.Message}");
        }

        if (backbone.InputChannels != inputChannels)
        {
            backbone.Dispose();
            throw new CliException($"--model {settings.Model} takes {backbone.InputChannels}-channel images; the {settings.Data.Name} data set has {inputChannels}.");
        }

        return backbone;
    }
}
