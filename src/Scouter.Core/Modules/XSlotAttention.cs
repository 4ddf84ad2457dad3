// The explainable slot attention (xSlot) of SCOUTER, Li et al., "SCOUTER: Slot Attention-based
// Classifier for Explainable Image Recognition", ICCV 2021; official module SlotAttention in
// sloter/utils/slot_attention.py. Written from docs/official-implementation.md §1, items 4–7, quirks included: no query
// projection, row-sum/total-sum rescaling of the logits, sigmoid instead of softmax, updates divided
// by d. The code is our own.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using Scouter.Core.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Modules;

/// <summary>
/// xSlot attention: <c>K = n·s</c> learned slots attend over the <c>h·w</c> positions of a feature map for
/// <c>T</c> iterations, refined by a GRU. Its state-dict names are those of the official module
/// (<c>initial_slots</c>, <c>to_k.{0,2,4…}.*</c>, <c>gru.*_l0</c>).
/// </summary>
/// <remarks>
/// Input: keys' source <c>Xpe [B, hw, d]</c> (features plus position embedding) and values <c>X [B, hw, d]</c>.
/// The official module also owns an unused query projection <c>to_q</c>; it takes no part in the computation,
/// so it is not a parameter here. The interop layer writes and reads its state-dict entries.
/// The last GRU step is skipped: its result is never used, so outputs and gradients are unchanged.
/// </remarks>
public sealed class XSlotAttention : nn.Module<Tensor, Tensor, XSlotAttentionOutput>
{
    private readonly Parameter initial_slots;
    private readonly Sequential to_k;
    private readonly GRU gru;

    private readonly int hiddenDim;
    private readonly int totalSlots;
    private readonly int iterations;
    private readonly double scale;

    private XSlotAttention(ClassifierHeadOptions options, Device? device) : base(nameof(XSlotAttention))
    {
        hiddenDim = options.HiddenDim;
        totalSlots = options.TotalSlots;
        iterations = options.Iterations;
        scale = Math.Pow(hiddenDim, -0.5);

        // One learned slot set shared by every image, drawn once as normal(μ, |σ|) with μ, σ ~ N(0, 1) per channel.
        using (no_grad())
        {
            var mu = randn(1, 1, hiddenDim);
            var sigma = randn(1, 1, hiddenDim).abs();
            initial_slots = new Parameter(mu + sigma * randn(1, totalSlots, hiddenDim));
            mu.Dispose();
            sigma.Dispose();
        }

        var keyLayers = new List<nn.Module<Tensor, Tensor>> { nn.Linear(hiddenDim, hiddenDim) };
        for (var layer = 1; layer < options.ToKLayers; layer++)
        {
            keyLayers.Add(nn.ReLU());
            keyLayers.Add(nn.Linear(hiddenDim, hiddenDim));
        }

        to_k = nn.Sequential(keyLayers);
        gru = nn.GRU(hiddenDim, hiddenDim);
        RegisterComponents();

        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>Creates the attention module for the given hyper-parameters.</summary>
    /// <param name="options">Uses <see cref="ClassifierHeadOptions.NumClasses"/>, <see cref="ClassifierHeadOptions.SlotsPerClass"/>,
    /// <see cref="ClassifierHeadOptions.HiddenDim"/>, <see cref="ClassifierHeadOptions.ToKLayers"/> and <see cref="ClassifierHeadOptions.Iterations"/>.</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public static XSlotAttention Create(ClassifierHeadOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new XSlotAttention(ClassifierHeadOptionsValidator.ThrowIfInvalid(options), device);
    }

    /// <summary>Slot dimension <c>d</c>.</summary>
    public int HiddenDim => hiddenDim;

    /// <summary>Total slot count <c>K</c>.</summary>
    public int TotalSlots => totalSlots;

    /// <summary>Attention iterations <c>T</c>.</summary>
    public int Iterations => iterations;

    /// <summary>Runs <c>T</c> attention iterations.</summary>
    /// <param name="keysSource"><c>Xpe [B, hw, d]</c>: features with the position embedding; keys are <c>to_k(Xpe)</c>.</param>
    /// <param name="values"><c>X [B, hw, d]</c>: features without the position embedding.</param>
    /// <returns>The last iteration's updates <c>[B, K, d]</c> and attention <c>[B, K, hw]</c>.</returns>
    public override XSlotAttentionOutput forward(Tensor keysSource, Tensor values)
    {
        TensorChecks.Rank(keysSource, 3, nameof(XSlotAttention), "keys' source [B, hw, d]", nameof(keysSource));
        TensorChecks.Rank(values, 3, nameof(XSlotAttention), "values [B, hw, d]", nameof(values));
        if (keysSource.shape[2] != hiddenDim || !keysSource.shape.SequenceEqual(values.shape))
        {
            throw new ArgumentException($"{nameof(XSlotAttention)} expects keys' source and values of the same shape [B, hw, d = {hiddenDim}]; got {TensorChecks.Describe(keysSource)} and {TensorChecks.Describe(values)}.", nameof(values));
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var scaleScalar = scalars.Of(scale);
        var hiddenDimScalar = scalars.Of(hiddenDim);
        var batch = keysSource.shape[0];
        var keysT = to_k.call(keysSource).transpose(1, 2); // [B, d, hw]
        var slots = initial_slots.expand(batch, totalSlots, hiddenDim);

        Tensor attention = null!;
        Tensor updates = null!;
        for (var t = 0; t < iterations; t++)
        {
            var dots = bmm(slots, keysT).mul_(scaleScalar); // [B, K, hw]

            // Every slot's logits are rescaled to share one row sum: D / rowsum(D) · totalsum(D).
            var rowSums = dots.sum(2, keepdim: true); // [B, K, 1]
            var total = rowSums.sum(1, keepdim: true); // [B, 1, 1]
            attention = dots.div(rowSums).mul(total).sigmoid(); // out of place: autograd needs these intermediates
            updates = bmm(attention, values).div_(hiddenDimScalar); // [B, K, d]

            if (t < iterations - 1)
            {
                var (next, hidden) = gru.call(updates.reshape(1, -1, hiddenDim), slots.reshape(1, -1, hiddenDim));
                hidden.Dispose();
                slots = next.reshape(batch, totalSlots, hiddenDim);
            }
        }

        return new XSlotAttentionOutput(updates.MoveToOuterDisposeScope(), attention.MoveToOuterDisposeScope());
    }
}
