// Reads the IDX format of LeCun's MNIST distribution (and Fashion-MNIST, KMNIST…): a big-endian header
// 0x00 0x00 <type> <rank>, then <rank> int32 dimensions, then the data row-major.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Scouter.Core.Data.Datasets;

/// <summary>One IDX file of unsigned bytes, read whole (raw or gzip-compressed, detected from its first bytes).</summary>
public sealed class IdxFile
{
    private IdxFile(string path, int[] dimensions, byte[] data)
    {
        Path = path;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The dimensions from the header, e.g. <c>[60000, 28, 28]</c> for MNIST's training images.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The data, row-major, <c>Π dimensions</c> bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Reads an IDX file of unsigned bytes (type code 0x08) of the expected rank.</summary>
    /// <param name="path">The file; gzip-compressed or not.</param>
    /// <param name="expectedRank">3 for images <c>[N, rows, cols]</c>, 1 for labels <c>[N]</c>.</param>
    /// <exception cref="DatasetLayoutException">The file is missing, truncated, or its header is not that of an unsigned-byte IDX file of that rank.</exception>
    public static IdxFile Read(string path, int expectedRank)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new DatasetLayoutException(path, $"IDX file '{path}' does not exist.");
        }

        var bytes = ReadAllDecompressed(path);
        if (bytes.Length < 4)
        {
            throw new DatasetLayoutException(path, $"IDX file '{path}' is truncated: {bytes.Length} bytes, fewer than the 4-byte magic number.");
        }

        if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != expectedRank)
        {
            var expectedMagic = 0x0800 + expectedRank;
            var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
            throw new DatasetLayoutException(path, $"IDX file '{path}' has magic number 0x{found:X8}; expected 0x{expectedMagic:X8} (unsigned bytes, {expectedRank} dimension(s)). Is it the {(expectedRank == 3 ? "images" : "labels")} file?");
        }

        var headerLength = 4 + (4 * expectedRank);
        if (bytes.Length < headerLength)
        {
            throw new DatasetLayoutException(path, $"IDX file '{path}' is truncated: {bytes.Length} bytes, fewer than its {headerLength}-byte header.");
        }

        var dimensions = new int[expectedRank];
        long expectedData = 1;
        for (var i = 0; i < expectedRank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * i)));
            if (dimensions[i] <= 0)
            {
                throw new DatasetLayoutException(path, $"IDX file '{path}' declares dimension {i} = {dimensions[i]}; every dimension must be positive.");
            }

            expectedData *= dimensions[i];
        }

        var actualData = bytes.Length - headerLength;
        if (actualData != expectedData)
        {
            throw new DatasetLayoutException(path, $"IDX file '{path}' declares dimensions [{string.Join(", ", dimensions)}] = {expectedData} bytes of data but holds {actualData}; the file is {(actualData < expectedData ? "truncated" : "longer than its header says")}.");
        }

        return new IdxFile(path, dimensions, bytes[headerLength..]);
    }

    private static byte[] ReadAllDecompressed(string path)
    {
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B)
        {
            return raw;
        }

        try
        {
            using var input = new MemoryStream(raw);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new DatasetLayoutException(path, $"IDX file '{path}' is gzip-compressed but could not be decompressed ({e.Message}); the file is truncated or damaged.", e);
        }
    }
}
