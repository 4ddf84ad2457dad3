// RISE: Petsiuk, Das and Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box Models", BMVC 2018.
// Masks: a random binary s×s grid (cells kept with probability p), bilinearly upsampled to (s+1)·⌈H/s⌉ × (s+1)·⌈W/s⌉
// and cropped at a random shift; saliency S = 1/(N·p) Σ_i f(x ⊙ M_i) · M_i (the paper's eq. 6).
using Scouter.Core.Compat;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>
/// RISE (Petsiuk et al., BMVC 2018): the expected mask weighted by the target's probability on the masked image,
/// <c>S = 1/(N·p) Σ_i p(x ⊙ M_i) M_i</c>, over <c>N</c> smooth random masks. Model-agnostic (no layer, no gradients).
/// Cost: <c>N</c> forward passes per image. The same masks serve every image of a chunk.
/// </summary>
/// <remarks>The original upsamples with scikit-image; this uses PyTorch's bilinear interpolation.</remarks>
public sealed class Rise : SaliencyMethod
{
    private readonly int masks;
    private readonly int gridSize;
    private readonly double keepProbability;

    private Rise(nn.Module<Tensor, Tensor> model, int masks, int gridSize, double keepProbability, SaliencyOptions? options) : base(model, options)
    {
        this.masks = masks;
        this.gridSize = gridSize;
        this.keepProbability = keepProbability;
    }

    /// <summary>Creates RISE.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="masks">Number of random masks <c>N</c> (default 1000; the paper uses 4000–8000).</param>
    /// <param name="gridSize">Cells per side <c>s</c> of the random grid (default 7).</param>
    /// <param name="keepProbability">Probability <c>p</c> that a cell is kept (default 0.5).</param>
    /// <param name="options">Shared settings (the seed drives the masks).</param>
    public static Rise Create(nn.Module<Tensor, Tensor> model, int masks = 1000, int gridSize = 7, double keepProbability = 0.5, SaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(masks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        if (!(keepProbability > 0 && keepProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "RISE's keep probability must lie in (0, 1].");
        }

        return new Rise(model, masks, gridSize, keepProbability, options);
    }

    /// <inheritdoc />
    public override string Name => "RISE";

    /// <summary>Draws <paramref name="count"/> RISE masks <c>[count, 1, height, width]</c> in <c>[0, 1]</c>.</summary>
    /// <param name="count">Number of masks.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="generator">Random generator (CPU).</param>
    /// <param name="device">Device of the result.</param>
    public Tensor DrawMasks(int count, long height, long width, Generator generator, Device? device = null)
    {
        using var scope = NewDisposeScope();
        long cellH = (height + gridSize - 1) / gridSize, cellW = (width + gridSize - 1) / gridSize;
        long upH = (gridSize + 1) * cellH, upW = (gridSize + 1) * cellW;
        using var scalars = new ScalarScope();
        var grid = rand([count, 1, gridSize, gridSize], generator: generator).lt(scalars.Of(keepProbability)).to(ScalarType.Float32);
        var up = nn.functional.interpolate(grid, [upH, upW], mode: InterpolationMode.Bilinear, align_corners: false);
        var shiftY = randint(cellH, [count, 1], generator: generator);
        var shiftX = randint(cellW, [count, 1], generator: generator);
        var rows = shiftY.Plus(scalars.Range(height)).view(count, 1, height, 1).expand(count, 1, height, upW);
        var cropped = up.gather(2, rows);
        var cols = shiftX.Plus(scalars.Range(width)).view(count, 1, 1, width).expand(count, 1, height, width);
        return cropped.gather(3, cols).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor images, ExplanationTarget target, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], height = images.shape[2], width = images.shape[3];
        var saliency = zeros(b, height, width, device: images.device);
        var block = Math.Max(1, Options.ForwardBatchSize);
        for (var start = 0; start < masks; start += block)
        {
            using var step = NewDisposeScope();
            var count = Math.Min(block, masks - start);
            var drawn = DrawMasks(count, height, width, generator, images.device);
            var scores = PerturbedForwardPasses.ScoreMasked(Model, images, null, count, (_, m) => drawn.index_select(0, m), target, Options.ForwardBatchSize);
            saliency.PlusInPlace(einsum("bn,nhw->bhw", scores, drawn.squeeze(1)));
        }

        using var scalars = new ScalarScope();
        return saliency.div_(scalars.Of(masks * keepProbability)).MoveToOuterDisposeScope();
    }
}
