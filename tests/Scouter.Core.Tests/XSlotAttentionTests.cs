using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests;

public sealed class XSlotAttentionTests
{
    [Fact]
    public void OneIteration_GivesHandComputedAttentionAndUpdates()
    {
        // d = 2, K = 2 slots q0 = [1, 0], q1 = [0, 1], keys = identity(Xpe) with Xpe = [[1, 2], [3, 4]].
        // D = q·kᵀ / √2: slot 0 → [1, 3]/√2, slot 1 → [2, 4]/√2. Row sums 4/√2 and 6/√2, total 10/√2.
        // D' = D / rowsum · total: slot 0 → [0.25, 0.75]·7.0710678 = [1.767767, 5.303301],
        //                          slot 1 → [1/3, 2/3]·7.0710678 = [2.357023, 4.714045].
        // A = sigmoid(D'): slot 0 → [0.8541798, 0.9950495], slot 1 → [0.9134908, 0.9911113].
        // U = A·X / d with X = [[1, 0], [0, 2]]: slot 0 → [0.4270899, 0.9950495], slot 1 → [0.4567454, 0.9911113].
        using var attention = XSlotAttention.Create(new ClassifierHeadOptions { HiddenDim = 2, NumClasses = 2, SlotsPerClass = 1, Iterations = 1 });
        Parameters.Set(attention, "initial_slots", [1, 0, 0, 1], 1, 2, 2);
        Parameters.Set(attention, "to_k.0.weight", [1, 0, 0, 1], 2, 2);
        Parameters.Set(attention, "to_k.0.bias", [0, 0], 2);
        using var keysSource = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 2, 2);
        using var values = tensor(new float[] { 1, 0, 0, 2 }).reshape(1, 2, 2);

        using var output = attention.call(keysSource, values);

        using var expectedAttention = tensor(new float[] { 0.8541798f, 0.9950495f, 0.9134908f, 0.9911113f }).reshape(1, 2, 2);
        using var expectedUpdates = tensor(new float[] { 0.4270899f, 0.9950495f, 0.4567454f, 0.9911113f }).reshape(1, 2, 2);
        TensorAssert.Close(output.Attention, expectedAttention, rtol: 1e-6);
        TensorAssert.Close(output.Updates, expectedUpdates, rtol: 1e-6);
    }

    [Fact]
    public void StateDict_HasTheOfficialNames()
    {
        using var attention = XSlotAttention.Create(new ClassifierHeadOptions { HiddenDim = 4, NumClasses = 3, SlotsPerClass = 2, ToKLayers = 3 });

        var shapes = attention.state_dict().ToDictionary(e => e.Key, e => e.Value.shape);

        shapes.Keys.Should().BeEquivalentTo(
            "initial_slots",
            "to_k.0.weight", "to_k.0.bias", "to_k.2.weight", "to_k.2.bias", "to_k.4.weight", "to_k.4.bias",
            "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0");
        shapes["initial_slots"].Should().Equal(1, 6, 4);
        shapes["gru.weight_ih_l0"].Should().Equal(12, 4);
        shapes["gru.bias_hh_l0"].Should().Equal(12);
    }

    [Fact]
    public void InitialSlots_AreDrawnFromOneNormalPerChannel()
    {
        // normal(μ, |σ|) with μ, σ per channel: with many slots, each channel's spread is |σ_c| and its centre μ_c;
        // across channels the centres differ, unlike a plain N(0, 1) draw around a shared zero mean.
        manual_seed(7);
        using var attention = XSlotAttention.Create(new ClassifierHeadOptions { HiddenDim = 8, NumClasses = 500, SlotsPerClass = 4 });
        var slots = attention.named_parameters().Single(p => p.name == "initial_slots").parameter;

        using var channelMeans = slots.detach().mean([0L, 1L]);
        using var channelStd = slots.detach().std([0L, 1L]);

        slots.shape.Should().Equal(1, 2000, 8);
        channelMeans.std().item<float>().Should().BeGreaterThan(0.1f, "each channel has its own mean μ_c");
        channelStd.min().item<float>().Should().BeGreaterThan(0f, "slots are drawn, not copies of μ");
    }

    [Fact]
    public void Forward_RejectsKeysAndValuesOfDifferentShapes()
    {
        using var attention = XSlotAttention.Create(new ClassifierHeadOptions { HiddenDim = 4, NumClasses = 2, SlotsPerClass = 1 });
        using var keys = zeros(2, 9, 4);
        using var values = zeros(2, 8, 4);

        var act = () => attention.call(keys, values);

        act.Should().Throw<ArgumentException>().WithMessage("*same shape*[2, 9, 4]*[2, 8, 4]*");
    }
}
