using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Export;

/// <summary>
/// The xSlot head, unrolled over its <c>T</c> iterations: conv1x1 → ReLU, the sine position embedding as a constant
/// for the fixed <c>h × w</c>, keys <c>to_k(X + pe)</c>, then per iteration
/// <c>D = S·Kᵀ/√d</c>, <c>A = sigmoid(D / rowsum(D) · totalsum(D))</c>, <c>U = A·X / d</c> and the GRU update of the
/// slots (written out with its r, z, n gates), exactly as <see cref="XSlotAttention"/> computes them.
/// </summary>
/// <remarks>
/// The learned initial slots <c>[1, K, d]</c> broadcast against the batch in the first iteration's products, so no
/// shape but the batch size is dynamic. Scores are the last updates summed over <c>d</c> and over each class's
/// slots (negated for negative SCOUTER); class maps are the last attention summed over each class's slots.
/// </remarks>
internal static class XSlotHeadEmitter
{
    public static HeadExport Emit(XSlotClassifier head, string features, long height, long width, ExportContext context)
    {
        var graph = context.Graph;
        var options = head.Options;
        long n = options.NumClasses, s = options.SlotsPerClass, d = options.HiddenDim;
        var children = ModuleChildren.Of(head);
        var slot = (XSlotAttention)children["slot"];
        var slotChildren = ModuleChildren.Of(slot);
        var parameters = slot.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);

        var x = graph.Node("Relu", "head.relu", [context.Emit(children["conv1x1"], features, "conv1x1")]); // [B, d, h, w]
        using (var embedding = ((SinePositionEmbedding)children["position_emb"]).Compute(height, width))
        {
            var xPe = graph.Node("Add", "head.add_position", [x, graph.Initializer("position_embedding", embedding)]);
            var keysSource = Positions(graph, xPe, d, "head.keys_source");
            var keys = context.Emit(slotChildren["to_k"], keysSource, "slot.to_k"); // [B, hw, d]
            var keysT = graph.Node("Transpose", "head.keys_t", [keys], OnnxGraphBuilder.Ints("perm", [0, 2, 1])); // [B, d, hw]
            var values = Positions(graph, x, d, "head.values"); // [B, hw, d]

            var slots = graph.Initializer("slot.initial_slots", parameters["initial_slots"]); // [1, K, d]
            var gru = Gru.Create(graph, (GRU)slotChildren["gru"]);
            string attention = null!, updates = null!;
            for (var t = 0; t < options.Iterations; t++)
            {
                var prefix = $"slot.iter{t}";
                var dots = graph.Node("Mul", $"{prefix}.dots", [graph.Node("MatMul", $"{prefix}.qk", [slots, keysT]), graph.Scalar((float)Math.Pow(d, -0.5))]); // [B, K, hw]
                var rowSums = graph.Node("ReduceSum", $"{prefix}.row_sums", [dots, graph.Int64s(2)], OnnxGraphBuilder.Int("keepdims", 1));
                var total = graph.Node("ReduceSum", $"{prefix}.total", [rowSums, graph.Int64s(1)], OnnxGraphBuilder.Int("keepdims", 1));
                var rescaled = graph.Node("Mul", $"{prefix}.rescaled", [graph.Node("Div", $"{prefix}.row_normalised", [dots, rowSums]), total]);
                attention = graph.Node("Sigmoid", $"{prefix}.attention", [rescaled]);
                updates = graph.Node("Div", $"{prefix}.updates", [graph.Node("MatMul", $"{prefix}.av", [attention, values]), graph.Scalar(d)]); // [B, K, d]
                if (t < options.Iterations - 1)
                {
                    slots = gru.Step(updates, slots, $"{prefix}.gru");
                }
            }

            var perSlot = graph.Node("ReduceSum", "head.slot_scores", [updates, graph.Int64s(2)], OnnxGraphBuilder.Int("keepdims", 0)); // [B, K]
            var scores = graph.Node("ReduceSum", "head.class_scores", [graph.Node("Reshape", "head.by_class", [perSlot, graph.Int64s(0, n, s)]), graph.Int64s(2)], OnnxGraphBuilder.Int("keepdims", 0));
            if (options.Polarity == ScouterPolarity.Negative)
            {
                scores = graph.Node("Neg", "head.negative", [scores]);
            }

            var classAttention = graph.Node("ReduceSum", "head.class_attention", [graph.Node("Reshape", "head.attention_by_class", [attention, graph.Int64s(0, n, s, height * width)]), graph.Int64s(2)], OnnxGraphBuilder.Int("keepdims", 0));
            var maps = graph.Node("Reshape", "head.class_maps", [classAttention, graph.Int64s(0, n, height, width)]);
            return new HeadExport(scores, maps);
        }
    }

    // [B, d, h, w] → [B, h·w, d], positions in row-major order as flatten(2).transpose(1, 2).
    private static string Positions(OnnxGraphBuilder graph, string map, long d, string name) =>
        graph.Node("Transpose", name, [graph.Node("Reshape", $"{name}.flat", [map, graph.Int64s(0, d, -1)])], OnnxGraphBuilder.Ints("perm", [0, 2, 1]));

    /// <summary>One step of PyTorch's GRU (gates r, z, n in that order), as ONNX arithmetic.</summary>
    private sealed class Gru
    {
        private readonly OnnxGraphBuilder graph;
        private readonly string inputWeightT, hiddenWeightT, inputBias, hiddenBias;
        private readonly long hidden;

        private Gru(OnnxGraphBuilder graph, string inputWeightT, string hiddenWeightT, string inputBias, string hiddenBias, long hidden)
        {
            this.graph = graph;
            this.inputWeightT = inputWeightT;
            this.hiddenWeightT = hiddenWeightT;
            this.inputBias = inputBias;
            this.hiddenBias = hiddenBias;
            this.hidden = hidden;
        }

        public static Gru Create(OnnxGraphBuilder graph, GRU gru)
        {
            var p = gru.named_parameters().ToDictionary(x => x.name, x => x.parameter, StringComparer.Ordinal);
            using var wih = p["weight_ih_l0"].detach().t();
            using var whh = p["weight_hh_l0"].detach().t();
            return new Gru(graph,
                graph.Initializer("slot.gru.weight_ih_l0_t", wih), graph.Initializer("slot.gru.weight_hh_l0_t", whh),
                graph.Initializer("slot.gru.bias_ih_l0", p["bias_ih_l0"]), graph.Initializer("slot.gru.bias_hh_l0", p["bias_hh_l0"]),
                p["weight_hh_l0"].shape[1]);
        }

        // h' = (1 − z)·n + z·h, r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r·(W_hn h + b_hn)).
        public string Step(string input, string state, string name)
        {
            var gi = graph.Node("Add", $"{name}.gi", [graph.Node("MatMul", $"{name}.x_w", [input, inputWeightT]), inputBias]);
            var gh = graph.Node("Add", $"{name}.gh", [graph.Node("MatMul", $"{name}.h_w", [state, hiddenWeightT]), hiddenBias]);
            var split = graph.Int64s(hidden, hidden, hidden);
            var i = graph.Nodes("Split", $"{name}.gi_split", [gi, split], 3, OnnxGraphBuilder.Int("axis", -1));
            var h = graph.Nodes("Split", $"{name}.gh_split", [gh, split], 3, OnnxGraphBuilder.Int("axis", -1));
            var r = graph.Node("Sigmoid", $"{name}.r", [graph.Node("Add", $"{name}.r_in", [i[0], h[0]])]);
            var z = graph.Node("Sigmoid", $"{name}.z", [graph.Node("Add", $"{name}.z_in", [i[1], h[1]])]);
            var candidate = graph.Node("Tanh", $"{name}.n", [graph.Node("Add", $"{name}.n_in", [i[2], graph.Node("Mul", $"{name}.r_h", [r, h[2]])])]);
            var keep = graph.Node("Sub", $"{name}.one_minus_z", [graph.Scalar(1f), z]);
            return graph.Node("Add", name, [graph.Node("Mul", $"{name}.new", [keep, candidate]), graph.Node("Mul", $"{name}.old", [z, state])]);
        }
    }
}
