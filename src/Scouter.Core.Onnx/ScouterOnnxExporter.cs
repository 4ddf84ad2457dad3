using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Internal;
using Scouter.Core.IO;
using Scouter.Core.Modules;
using Scouter.Core.Onnx.Export;
using Scouter.Core.Onnx.Schema;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx;

/// <summary>
/// Exports a <see cref="ScouterModel"/> to an ONNX file that ONNX Runtime (or any ONNX runtime with opset
/// <see cref="OnnxNames.Opset"/>) runs without libtorch. The graph is the model in evaluation mode with a dynamic batch
/// size; an xSlot model explains itself in it: its per-class attention maps are outputs of the same forward pass.
/// </summary>
/// <remarks>
/// <para>Input <see cref="OnnxNames.Images"/> <c>[batch, C, H, W]</c>; outputs <see cref="OnnxNames.LogProbabilities"/>
/// and <see cref="OnnxNames.Scores"/> <c>[batch, n]</c>, and for the xSlot head <see cref="OnnxNames.ClassMaps"/>
/// <c>[batch, n, h, w]</c> and, optionally, <see cref="OnnxNames.UpsampledMaps"/> <c>[batch, n, H, W]</c>. The
/// preprocessing goes into the model's metadata (<see cref="OnnxMetadataKeys"/>).</para>
/// <para>The exporter walks the module tree and translates each module it knows: the ResNet family (basic blocks,
/// bottlenecks, ResNeXt and Wide ResNet groups and widths), ResNeSt-26d/50d, the MNIST stem, any dilation, and the
/// FC and xSlot heads of both polarities. A module it does not know stops the export with a
/// <see cref="NotSupportedException"/> naming the module's type and path.</para>
/// </remarks>
/// <example>
/// <code>
/// ScouterOnnxExporter.Export(model, "model.onnx", new OnnxExportOptions { ImageHeight = 260, ImageWidth = 260, ClassNames = names });
/// </code>
/// </example>
public static class ScouterOnnxExporter
{
    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>, written atomically (a failed export leaves any previous file untouched).</summary>
    /// <param name="model">The model; its parameters are read, its training mode is left as it was.</param>
    /// <param name="path">The ONNX file to write.</param>
    /// <param name="options">Input size, preprocessing and outputs; null for the defaults (260×260 RGB, ImageNet normalisation).</param>
    /// <exception cref="NotSupportedException">A module of the model has no ONNX translation; the message names its type.</exception>
    /// <exception cref="ArgumentException">The options do not fit the model.</exception>
    public static void Export(ScouterModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes(model, options);
        AtomicFile.Write(path, bytes);
    }

    /// <summary>Exports <paramref name="model"/> and returns the ONNX model's bytes.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Input size, preprocessing and outputs; null for the defaults.</param>
    /// <exception cref="NotSupportedException">A module of the model has no ONNX translation; the message names its type.</exception>
    /// <exception cref="ArgumentException">The options do not fit the model.</exception>
    public static byte[] ToBytes(ScouterModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        Validate(model, options);
        var (height, width) = FeatureMapSize(model, options);

        var graph = new OnnxGraphBuilder();
        var context = new ExportContext(graph, ExportContext.DefaultEmitters);
        var input = graph.Input(OnnxNames.Images, [null, options.InputChannels, options.ImageHeight, options.ImageWidth]);
        var features = context.Emit(model.Backbone, input, "backbone");
        var head = model.Head switch
        {
            XSlotClassifier slot => XSlotHeadEmitter.Emit(slot, features, height, width, context),
            FcClassifierHead fc => FcHeadEmitter.Emit(fc, features, context),
            var other => throw new NotSupportedException($"Cannot export the head to ONNX: its type {other.GetType().FullName} is not supported (XSlotClassifier and FcClassifierHead are)."),
        };

        var n = model.Head.NumClasses;
        graph.Output(head.Scores, OnnxNames.Scores, [null, n]);
        graph.Output(graph.Node("LogSoftmax", "log_softmax", [head.Scores], OnnxGraphBuilder.Int("axis", 1)), OnnxNames.LogProbabilities, [null, n]);
        if (head.ClassMaps is { } maps)
        {
            graph.Output(maps, OnnxNames.ClassMaps, [null, n, height, width]);
            if (options.IncludeUpsampledMaps)
            {
                var upsampled = MapsEmitter.NormalisedUpsampled(graph, maps, n, height, width, options.ImageHeight, options.ImageWidth);
                graph.Output(upsampled, OnnxNames.UpsampledMaps, [null, n, options.ImageHeight, options.ImageWidth]);
            }
        }

        graph.Graph.Name = "scouter";
        var proto = new ModelProto
        {
            IrVersion = OnnxNames.IrVersion,
            ProducerName = "Scouter.Core.Onnx",
            ProducerVersion = typeof(ScouterOnnxExporter).Assembly.GetName().Version?.ToString() ?? string.Empty,
            DocString = options.Description ?? string.Empty,
            Graph = graph.Graph,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = OnnxNames.Opset } },
        };
        foreach (var (key, value) in Metadata(model, options, height, width))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto.ToByteArray();
    }

    private static void Validate(ScouterModel model, OnnxExportOptions options)
    {
        if (options.ImageHeight < 1 || options.ImageWidth < 1 || options.InputChannels < 1)
        {
            throw new ArgumentException($"OnnxExportOptions needs a positive image size and channel count; got {options.InputChannels}×{options.ImageHeight}×{options.ImageWidth}.", nameof(options));
        }

        if (options.ClassNames is { } names && names.Count != model.Head.NumClasses)
        {
            throw new ArgumentException($"OnnxExportOptions.ClassNames has {names.Count} names; the model has {model.Head.NumClasses} classes.", nameof(options));
        }

        if (options.Normalization is null && options.InputChannels is not (1 or 3))
        {
            throw new ArgumentException($"OnnxExportOptions.Normalization is needed for {options.InputChannels}-channel input (the defaults are ImageNet's for 3 channels and MNIST's for 1).", nameof(options));
        }

        if (options.Normalization is { } normalization && normalization.Mean.Count != options.InputChannels)
        {
            throw new ArgumentException($"OnnxExportOptions.Normalization has {normalization.Mean.Count} channel(s); the input has {options.InputChannels}.", nameof(options));
        }
    }

    // The class maps' size is fixed in the graph (the position embedding is a constant), so one eval-mode forward
    // pass of the backbone finds it, and checks on the way that the backbone takes this input.
    private static (long Height, long Width) FeatureMapSize(ScouterModel model, OnnxExportOptions options)
    {
        var backbone = model.Backbone;
        var modes = new[] { (nn.Module)backbone }.Concat(backbone.named_modules().Select(m => m.module)).Distinct().Select(m => (Module: m, m.training)).ToList();
        var device = backbone.parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor features;
        try
        {
            backbone.eval();
            features = backbone.call(zeros([1, options.InputChannels, options.ImageHeight, options.ImageWidth], device: device));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"The backbone cannot take a [1, {options.InputChannels}, {options.ImageHeight}, {options.ImageWidth}] input ({e.Message}). Set OnnxExportOptions.InputChannels and the image size the model was trained with.", nameof(options), e);
        }
        finally
        {
            foreach (var (module, training) in modes)
            {
                module.train(training);
            }
        }

        if (features.dim() != 4 || features.shape[1] != model.Head.Channels)
        {
            throw new ArgumentException($"The backbone turns a [1, {options.InputChannels}, {options.ImageHeight}, {options.ImageWidth}] input into {TensorChecks.Describe(features)}; the head expects [B, {model.Head.Channels}, h, w].", nameof(options));
        }

        return (features.shape[2], features.shape[3]);
    }

    private static IEnumerable<(string Key, string Value)> Metadata(ScouterModel model, OnnxExportOptions options, long height, long width)
    {
        var normalization = options.Normalization ?? (options.InputChannels == 1 ? Normalization.Mnist : Normalization.ImageNet);
        static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        yield return (OnnxMetadataKeys.InputHeight, options.ImageHeight.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxMetadataKeys.InputWidth, options.ImageWidth.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxMetadataKeys.InputChannels, options.InputChannels.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxMetadataKeys.ChannelOrder, options.InputChannels == 3 ? "RGB" : options.InputChannels == 1 ? "L" : $"{options.InputChannels} channels");
        yield return (OnnxMetadataKeys.Resize, "bilinear with antialiasing (PIL Image.resize BILINEAR) to input_height x input_width, no crop");
        yield return (OnnxMetadataKeys.PixelDivisor, "255");
        yield return (OnnxMetadataKeys.Mean, Join(normalization.Mean));
        yield return (OnnxMetadataKeys.Std, Join(normalization.Std));
        yield return (OnnxMetadataKeys.FeatureMap, $"{height}x{width}");
        yield return (OnnxMetadataKeys.Head, model.Head is XSlotClassifier ? "xslot" : "fc");
        if (model.Head is XSlotClassifier slot)
        {
            yield return (OnnxMetadataKeys.Polarity, slot.Polarity == ScouterPolarity.Negative ? "negative" : "positive");
        }

        if (options.ClassNames is { } names)
        {
            yield return (OnnxMetadataKeys.ClassNames, JsonSerializer.Serialize(names));
        }

        if (options.BackboneName is { } backbone)
        {
            yield return (OnnxMetadataKeys.Backbone, backbone);
        }
    }
}
