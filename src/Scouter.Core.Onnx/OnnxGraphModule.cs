using Scouter.Core.Compat;
using System.Text;
using Scouter.Core.Backbones;
using Scouter.Core.Internal;
using Scouter.Core.Onnx.Import;
using Scouter.Core.Onnx.Schema;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Scouter.Core.Onnx;

/// <summary>
/// An ONNX image CNN rebuilt as TorchSharp modules, cut at a named value: a trainable feature extractor. Weights become
/// parameters (convolutions, batch norms, <c>Gemm</c>), so the imported network fine-tunes like any other backbone.
/// </summary>
/// <remarks>
/// <para>Operators: <c>Conv</c> (2-D, any pads including asymmetric ones, strides, dilations, groups, <c>auto_pad</c>),
/// <c>BatchNormalization</c>, <c>Relu</c>, <c>Add</c>, <c>Sum</c>, <c>MaxPool</c>, <c>AveragePool</c>,
/// <c>GlobalAveragePool</c>, <c>Gemm</c>, <c>Flatten</c>, <c>Pad</c>, <c>Concat</c>, <c>Identity</c> and <c>Dropout</c>
/// (an identity in evaluation). A node outside this set that the cut needs stops the import with its name and type.</para>
/// <para>Parameters are named after the ONNX nodes (characters other than letters, digits and <c>_</c> become <c>_</c>):
/// <c>Convolution249.weight</c>, <c>BatchNormalization251.running_mean</c>, …. ONNX's batch-norm momentum <c>m</c>
/// (running = m·running + (1 − m)·batch) becomes PyTorch's <c>1 − m</c>.</para>
/// </remarks>
public sealed class OnnxGraphModule : nn.Module<Tensor, Tensor>
{
    private const string DefaultDomain = "";

    private readonly List<ImportedStep> steps = [];
    private readonly Dictionary<string, string> constantBuffers = new(StringComparer.Ordinal);
    private readonly OnnxInputConversion? conversion;

    private OnnxGraphModule(ModelProto model, OnnxImportOptions options) : base(nameof(OnnxGraphModule))
    {
        conversion = options.InputConversion;
        conversion?.Validate();
        var graph = model.Graph ?? throw new InvalidDataException("The ONNX model has no graph.");
        var opset = model.OpsetImport.Where(o => o.Domain is DefaultDomain or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);

        var input = graph.Input.FirstOrDefault(i => !initializers.ContainsKey(i.Name))
            ?? throw new InvalidDataException("The ONNX graph has no input that is not an initializer.");
        InputName = input.Name;
        InputShape = input.Type?.TensorType?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToList() ?? [];
        OutputName = options.OutputName ?? DefaultCut(graph);
        Opset = opset;
        if (InputShape.Count == 4 && InputShape[1] is { } channels && conversion is not null && conversion.ChannelOrder.Count != channels)
        {
            throw new InvalidDataException($"The ONNX graph's input '{InputName}' has {channels} channels; the input conversion makes {conversion.ChannelOrder.Count}.");
        }

        var needed = NodesNeededFor(graph, OutputName, InputName, initializers);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in needed)
        {
            AddStep(node, initializers, opset, Unique(names, node));
        }
    }

    /// <summary>The graph input the module feeds (the first input that is not an initializer).</summary>
    public string InputName { get; }

    /// <summary>The graph input's declared shape; null entries are symbolic dimensions.</summary>
    public IReadOnlyList<long?> InputShape { get; }

    /// <summary>The value the module returns.</summary>
    public string OutputName { get; }

    /// <summary>The model's default-domain operator set version.</summary>
    public long Opset { get; }

    /// <summary>Imports the ONNX file at <paramref name="path"/>.</summary>
    /// <param name="path">An <c>.onnx</c> file with its weights inside.</param>
    /// <param name="options">Where to cut and how to convert the input; null cuts before the last global pooling.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or the cut names no value of the graph.</exception>
    /// <exception cref="NotSupportedException">A node the cut needs is outside the supported operators; the message names it.</exception>
    public static OnnxGraphModule Load(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model {path} not found.", path);
        }

        return FromBytes(File.ReadAllBytes(path), options, path);
    }

    /// <summary>Imports an ONNX model from its bytes.</summary>
    /// <param name="model">The <c>.onnx</c> file's content.</param>
    /// <param name="options">Where to cut and how to convert the input.</param>
    /// <param name="source">Names the model in error messages.</param>
    public static OnnxGraphModule FromBytes(byte[] model, OnnxImportOptions? options = null, string source = "the ONNX model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source} is not an ONNX model ({e.Message}).", e);
        }

        if (proto.Graph is null || proto.Graph.Node.Count == 0)
        {
            throw new InvalidDataException($"{source} is not an ONNX model: it has no graph nodes.");
        }

        return new OnnxGraphModule(proto, options ?? new OnnxImportOptions());
    }

    /// <summary>Runs the graph from its input to <see cref="OutputName"/>.</summary>
    /// <param name="images">Images <c>[B, C, H, W]</c>, normalised as the pipeline does (converted first when an input conversion is set).</param>
    public override Tensor forward(Tensor images)
    {
        TensorChecks.Rank(images, 4, nameof(OnnxGraphModule), "images [B, C, H, W]", nameof(images));
        using var scope = NewDisposeScope();
        var input = Convert(images);
        if (InputShape.Count == 4 && InputShape[1] is { } channels && input.shape[1] != channels)
        {
            throw new ArgumentException($"The ONNX graph takes {channels}-channel images [B, {channels}, H, W]; got {TensorChecks.Describe(images)}.", nameof(images));
        }

        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = input };
        foreach (var (name, buffer) in constantBuffers)
        {
            values[name] = get_buffer(buffer)!;
        }

        foreach (var step in steps)
        {
            values[step.Output] = step.Run(step.Inputs.Select(i => values[i]).ToArray());
        }

        return values[OutputName].MoveToOuterDisposeScope();
    }

    /// <summary>The nodes the module runs, in order, with the module holding each one's parameters (for re-export).</summary>
    internal IReadOnlyList<ImportedStep> Steps => steps;

    /// <summary>The graph's initializers that nodes read as data, by value name, with the buffer holding each.</summary>
    internal IReadOnlyDictionary<string, string> ConstantBuffers => constantBuffers;

    /// <summary>The input conversion applied before the graph, if any.</summary>
    internal OnnxInputConversion? Conversion => conversion;

    /// <summary>The per-channel affine map of the input conversion: graph channel k = source[order_k]·scale_k + shift_k.</summary>
    internal static (float[] Scale, float[] Shift) ConversionCoefficients(OnnxInputConversion conversion)
    {
        var source = conversion.Source;
        var order = conversion.ChannelOrder;
        var scale = order.Select((c, k) => (float)(source.Std[c] * conversion.PixelScale / conversion.Std[k])).ToArray();
        var shift = order.Select((c, k) => (float)((source.Mean[c] * conversion.PixelScale - conversion.Mean[k]) / conversion.Std[k])).ToArray();
        return (scale, shift);
    }

    private Tensor Convert(Tensor images)
    {
        if (conversion is null)
        {
            return images;
        }

        var source = conversion.Source;
        if (images.shape[1] != source.Mean.Count)
        {
            throw new ArgumentException($"{nameof(OnnxGraphModule)} converts {source.Mean.Count}-channel images; got {TensorChecks.Describe(images)}.", nameof(images));
        }

        // pixel_c = (x_c·std_c + mean_c)·scale, then graph channel k = (pixel[order_k] − mean'_k) / std'_k: one affine map per channel.
        var (scale, shift) = ConversionCoefficients(conversion);
        var index = tensor(conversion.ChannelOrder.Select(c => (long)c).ToArray(), device: images.device);
        var selected = images.index_select(1, index);
        return selected.mul(tensor(scale, images.dtype, images.device).view(1, -1, 1, 1)).add_(tensor(shift, images.dtype, images.device).view(1, -1, 1, 1));
    }

    private void AddStep(NodeProto node, IReadOnlyDictionary<string, TensorProto> initializers, long opset, string name)
    {
        var attributes = new NodeAttributes(node);
        TensorProto Weight(int index) => index < node.Input.Count && initializers.TryGetValue(node.Input[index], out var t)
            ? t
            : throw new NotSupportedException($"{attributes.Describe()}: input {index} must be a constant (initializer) to become a parameter.");
        bool HasInput(int index) => index < node.Input.Count && node.Input[index].Length > 0;
        var dataInputs = new List<string> { node.Input[0] };

        if (node.Domain is not (DefaultDomain or "ai.onnx"))
        {
            throw new NotSupportedException($"{attributes.Describe()} is in domain '{node.Domain}'; the importer supports the default ONNX domain.");
        }

        Func<Tensor[], Tensor> run;
        nn.Module? owner = null;
        (long[] Pads, float Value)? padding = null;
        switch (node.OpType)
        {
            case "Conv":
            {
                var weight = OnnxTensorReader.Float(Weight(1));
                if (weight.dim() != 4)
                {
                    throw new NotSupportedException($"{attributes.Describe()} is a {weight.dim() - 2}-D convolution; the importer takes 2-D convolutions.");
                }

                var conv = new ImportedConv2d(name, weight, HasInput(2) ? OnnxTensorReader.Float(Weight(2)) : null,
                    attributes.Ints("strides") ?? [1, 1], attributes.Ints("dilations") ?? [1, 1], attributes.Int("group", 1), SpatialPadding.From(attributes));
                register_module(name, conv);
                owner = conv;
                run = x => conv.call(x[0]);
                break;
            }

            case "BatchNormalization":
            {
                if (attributes.Int("spatial", 1) != 1 || attributes.Int("training_mode", 0) != 0 || node.Output.Count > 1 && node.Output.Skip(1).Any(o => o.Length > 0))
                {
                    throw new NotSupportedException($"{attributes.Describe()}: only the inference form (spatial 1, one output) is supported.");
                }

                var scale = OnnxTensorReader.Float(Weight(1));
                var norm = ScalarSafeBatchNorm2d.Create(scale.shape[0], eps: attributes.Float("epsilon", 1e-5f), momentum: 1 - attributes.Float("momentum", 0.9f));
                using (no_grad())
                {
                    norm.weight!.copy_(scale);
                    norm.bias!.copy_(OnnxTensorReader.Float(Weight(2)));
                    norm.running_mean!.copy_(OnnxTensorReader.Float(Weight(3)));
                    norm.running_var!.copy_(OnnxTensorReader.Float(Weight(4)));
                }

                register_module(name, norm);
                owner = norm;
                run = x => norm.call(x[0]);
                break;
            }

            case "Gemm":
            {
                if (attributes.Int("transA", 0) != 0)
                {
                    throw new NotSupportedException($"{attributes.Describe()}: transA = 1 is not supported.");
                }

                var b = OnnxTensorReader.Float(Weight(1));
                var weight = (attributes.Int("transB", 0) != 0 ? b : b.t()).mul(attributes.Float("alpha", 1f));
                var linear = nn.Linear(weight.shape[1], weight.shape[0], hasBias: HasInput(2));
                using (no_grad())
                {
                    linear.weight!.copy_(weight);
                    if (HasInput(2))
                    {
                        var bias = OnnxTensorReader.Float(Weight(2)).mul(attributes.Float("beta", 1f));
                        linear.bias!.copy_(bias.expand(weight.shape[0]));
                    }
                }

                register_module(name, linear);
                owner = linear;
                run = x => linear.call(x[0]);
                break;
            }

            case "MaxPool" or "AveragePool":
            {
                if (node.Output.Count > 1 && node.Output[1].Length > 0)
                {
                    throw new NotSupportedException($"{attributes.Describe()}: the indices output is not supported.");
                }

                var pool = new ImportedPooling(name, attributes);
                register_module(name, pool);
                owner = pool;
                run = x => pool.call(x[0]);
                break;
            }

            case "Relu":
                run = x => F.relu(x[0]);
                break;
            case "Identity" or "Dropout":
                run = x => x[0].alias();
                break;
            case "GlobalAveragePool":
                run = x => x[0].mean([2L, 3L], keepdim: true);
                break;
            case "Flatten":
            {
                var axis = attributes.Int("axis", 1);
                run = x =>
                {
                    var a = axis < 0 ? axis + x[0].dim() : axis;
                    var lead = x[0].shape.Take((int)a).Aggregate(1L, (p, d) => p * d);
                    return x[0].reshape(lead, -1);
                };
                break;
            }

            case "Add" or "Sum":
                dataInputs = node.Input.ToList();
                run = x => x.Skip(1).Aggregate(x[0], (sum, next) => sum + next);
                break;
            case "Concat":
            {
                dataInputs = node.Input.ToList();
                var axis = attributes.Int("axis", 1);
                run = x => cat(x, axis);
                break;
            }

            case "Pad":
            {
                var mode = attributes.Text("mode", "constant");
                var pads = opset < 11 ? attributes.Ints("pads") ?? [] : OnnxTensorReader.Int64s(Weight(1));
                var value = opset < 11 ? attributes.Float("value", 0f) : HasInput(2) ? OnnxTensorReader.Float(Weight(2)).item<float>() : 0f;
                if (pads.Length % 2 != 0 || pads.Length == 0)
                {
                    throw new NotSupportedException($"{attributes.Describe()} has pads [{string.Join(", ", pads)}].");
                }

                // ONNX: [begin of each axis…, end of each axis…]; PyTorch: (begin, end) pairs from the last axis backwards.
                var rank = pads.Length / 2;
                var torchPads = Enumerable.Range(0, rank).Reverse().SelectMany(axis => new[] { pads[axis], pads[axis + rank] }).ToArray();
                var paddingMode = mode switch
                {
                    "constant" => PaddingModes.Constant,
                    "reflect" => PaddingModes.Reflect,
                    "edge" => PaddingModes.Replicate,
                    _ => throw new NotSupportedException($"{attributes.Describe()} has mode '{mode}'."),
                };
                if (paddingMode != PaddingModes.Constant)
                {
                    torchPads = torchPads.Take(4).ToArray(); // reflect and edge pad the two spatial axes
                }

                run = x => F.pad(x[0], torchPads, paddingMode, value);
                padding = (pads, value);
                break;
            }

            default:
                throw new NotSupportedException(
                    $"{attributes.Describe()} is not supported by the importer. Supported operators: Conv, BatchNormalization, Relu, Add, Sum, MaxPool, AveragePool, " +
                    "GlobalAveragePool, Gemm, Flatten, Pad, Concat, Identity, Dropout. Cut the graph before it (OnnxImportOptions.OutputName).");
        }

        foreach (var value in dataInputs.Where(initializers.ContainsKey))
        {
            if (!constantBuffers.ContainsKey(value))
            {
                var buffer = "const_" + Sanitize(value);
                register_buffer(buffer, OnnxTensorReader.Float(initializers[value]));
                constantBuffers[value] = buffer;
            }
        }

        steps.Add(new ImportedStep(node, owner, dataInputs.ToArray(), node.Output[0], run) { Pads = padding?.Pads, PadValue = padding?.Value ?? 0f });
    }

    // The nodes between the input and the cut, in the graph's (topological) order.
    private static List<NodeProto> NodesNeededFor(GraphProto graph, string output, string input, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var value in node.Output)
            {
                producers[value] = node;
            }
        }

        if (!producers.ContainsKey(output))
        {
            var candidates = graph.Node.Where(n => n.OpType is "Relu" or "Add" or "Concat").Select(n => n.Output[0]).TakeLast(8);
            throw new InvalidDataException($"The ONNX graph has no node output named '{output}' to cut at. Outputs of its last activations: {string.Join(", ", candidates)}.");
        }

        var needed = new HashSet<NodeProto>();
        var pending = new Stack<string>([output]);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (value == input || value.Length == 0 || initializers.ContainsKey(value))
            {
                continue;
            }

            if (!producers.TryGetValue(value, out var node))
            {
                throw new InvalidDataException($"The ONNX graph value '{value}' is neither produced by a node, the input '{input}' nor an initializer.");
            }

            if (needed.Add(node))
            {
                foreach (var next in node.Input)
                {
                    pending.Push(next);
                }
            }
        }

        return graph.Node.Where(needed.Contains).ToList();
    }

    private static string DefaultCut(GraphProto graph)
    {
        var pooling = graph.Node.LastOrDefault(n => n.OpType is "GlobalAveragePool" or "AveragePool")
            ?? throw new InvalidDataException("The ONNX graph has no global or average pooling to cut before; name the feature map with OnnxImportOptions.OutputName.");
        return pooling.Input[0];
    }

    private static string Unique(HashSet<string> names, NodeProto node)
    {
        var name = Sanitize(node.Name.Length > 0 ? node.Name : $"{node.OpType}_{node.Output[0]}");
        var candidate = name;
        for (var i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }
}
