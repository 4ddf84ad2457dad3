// Colormaps as 256-entry lookup tables applied with one gather: OpenCV's COLORMAP_JET, matplotlib's 'jet' (which the
// official SCOUTER visualisation sloter/utils/vis.py uses), and matplotlib's perceptually uniform 'viridis'.
using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>
/// A colormap: 256 RGB colours indexed by an 8-bit map value. <see cref="Apply"/> colours whole batches of maps with
/// one lookup, no per-pixel loop.
/// </summary>
public sealed class Colormap
{
    private readonly byte[] table;

    private Colormap(string name, byte[] table)
    {
        Name = name;
        this.table = table;
    }

    /// <summary>OpenCV's <c>COLORMAP_JET</c> (<c>cv2.applyColorMap(…, cv2.COLORMAP_JET)</c>), in RGB order.</summary>
    public static Colormap Jet { get; } = new("jet (OpenCV)", ColormapTables.Parse(ColormapTables.OpenCvJet));

    /// <summary>
    /// matplotlib's <c>'jet'</c> as the official SCOUTER visualisation applies it to a uint8 map: the colour of entry
    /// <c>i</c> times 255, truncated to 8 bits. It differs from OpenCV's jet by up to a few levels.
    /// </summary>
    public static Colormap MatplotlibJet { get; } = new("jet (matplotlib)", MatplotlibJetTable());

    /// <summary>matplotlib's perceptually uniform <c>'viridis'</c>, rounded to 8 bits; readable in greyscale and by colour-blind readers.</summary>
    public static Colormap Viridis { get; } = new("viridis", ColormapTables.Parse(ColormapTables.Viridis));

    /// <summary>A colormap from a table of 256 RGB triples.</summary>
    /// <param name="name">Display name.</param>
    /// <param name="rgb">768 bytes: R, G, B of entry 0, then of entry 1, …</param>
    public static Colormap FromTable(string name, IReadOnlyList<byte> rgb)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Count != 256 * 3)
        {
            throw new ArgumentException($"A colormap table holds 256 RGB triples (768 bytes); got {rgb.Count} bytes.", nameof(rgb));
        }

        return new Colormap(name, rgb.ToArray());
    }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>The table as a tensor <c>[256, 3]</c>, uint8, RGB.</summary>
    /// <param name="device">Device of the result (CPU when null).</param>
    public Tensor LookupTable(Device? device = null) => tensor(table, [256, 3], ScalarType.Byte, device: device);

    /// <summary>
    /// Colours maps. A uint8 map indexes the table directly; a floating-point map in <c>[0, 1]</c> is first turned into
    /// <c>⌊255·v⌋</c>, as the official code's <c>np.uint8(255 * mask)</c> does (values outside are clamped).
    /// </summary>
    /// <param name="maps">Maps <c>[..., H, W]</c> (any leading dimensions).</param>
    /// <returns>RGB images <c>[..., 3, H, W]</c>, uint8.</returns>
    public Tensor Apply(Tensor maps)
    {
        TensorChecks.NotNull(maps, nameof(maps));
        if (maps.dim() < 2)
        {
            throw new ArgumentException($"{nameof(Colormap)} expects maps [..., H, W]; got {TensorChecks.Describe(maps)}.", nameof(maps));
        }

        using var scope = NewDisposeScope();
        var index = ToIndex(maps);
        var lut = LookupTable(maps.device);
        var colours = lut.index_select(0, index.flatten().to(ScalarType.Int64)); // [N, 3]
        var shape = maps.shape.Concat(new long[] { 3 }).ToArray();
        return colours.view(shape).movedim([-1L], [-3L]).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Maps turned into 8-bit indices: uint8 unchanged, floating point <c>⌊255·clamp(v, 0, 1)⌋</c>.</summary>
    /// <param name="maps">Maps of any shape.</param>
    /// <returns>uint8 tensor of the same shape.</returns>
    public static Tensor ToIndex(Tensor maps)
    {
        TensorChecks.NotNull(maps, nameof(maps));
        if (maps.dtype == ScalarType.Byte)
        {
            return maps.alias();
        }

        TensorChecks.FloatingPoint(maps, nameof(Colormap), nameof(maps));
        if (maps.isnan().any().item<bool>())
        {
            throw new ArgumentException($"{nameof(Colormap)}: the maps contain NaN; normalise them to [0, 1] first.", nameof(maps));
        }

        return ImageTensors.UnitToBytes(maps);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    // matplotlib's LinearSegmentedColormap lookup table (_create_lookup_table, N = 256, gamma = 1) for the 'jet'
    // segment data, evaluated in double precision with matplotlib's order of operations, then ×255 and truncated.
    private static byte[] MatplotlibJetTable()
    {
        double[][] red = [[0.00, 0, 0], [0.35, 0, 0], [0.66, 1, 1], [0.89, 1, 1], [1.00, 0.5, 0.5]];
        double[][] green = [[0.000, 0, 0], [0.125, 0, 0], [0.375, 1, 1], [0.640, 1, 1], [0.910, 0, 0], [1.000, 0, 0]];
        double[][] blue = [[0.00, 0.5, 0.5], [0.11, 1, 1], [0.34, 1, 1], [0.65, 0, 0], [1.00, 0, 0]];
        var channels = new[] { Segment(red), Segment(green), Segment(blue) };
        var result = new byte[256 * 3];
        for (var i = 0; i < 256; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                result[i * 3 + c] = (byte)(channels[c][i] * 255);
            }
        }

        return result;
    }

    private static double[] Segment(double[][] data)
    {
        const int n = 256;
        var x = data.Select(d => d[0] * (n - 1)).ToArray();
        var lut = new double[n];
        lut[0] = data[0][2];
        lut[n - 1] = data[^1][1];
        var step = 1.0 / (n - 1);
        for (var i = 1; i < n - 1; i++)
        {
            var xi = (n - 1) * (i * step); // linspace(0, 1, n)[i] * (n − 1)
            var k = Array.FindIndex(x, v => v >= xi); // searchsorted, side 'left'
            var distance = (xi - x[k - 1]) / (x[k] - x[k - 1]);
            lut[i] = Math.Clamp(distance * (data[k][1] - data[k - 1][2]) + data[k - 1][2], 0.0, 1.0);
        }

        return lut;
    }
}
