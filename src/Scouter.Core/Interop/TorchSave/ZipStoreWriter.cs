// A minimal zip writer with the layout PyTorch's own writer (caffe2/serialize/inline_container.cc) produces:
// uncompressed ("stored") entries whose data starts on a 64-byte boundary, padded with an "FB" extra field, so
// every torch.load (including memory-mapped loading) can read the storages in place.
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Scouter.Core.Interop.TorchSave;

internal sealed class ZipStoreWriter
{
    private const int Alignment = 64;
    private const ushort DosDate1980 = (0 << 9) | (1 << 5) | 1; // 1980-01-01: fixed, so equal inputs give equal files

    private readonly Stream output;
    private readonly List<(string Name, uint Crc, uint Size, uint Offset)> written = [];

    public ZipStoreWriter(Stream output)
    {
        this.output = output;
    }

    public void Add(string name, ReadOnlySpan<byte> data)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var offset = Checked(output.Position, name);
        var size = Checked(data.Length, name);
        var crc = Crc32.HashToUInt32(data);

        var dataStart = offset + 30 + nameBytes.Length;
        var padding = (int)((Alignment - (dataStart % Alignment)) % Alignment);
        if (padding is > 0 and < 4)
        {
            padding += Alignment; // the extra field's own 4-byte header must fit
        }

        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 20); // version needed: 2.0
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0); // flags
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0); // method: stored
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0); // time 00:00
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosDate1980);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], size);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)padding);
        output.Write(header);
        output.Write(nameBytes);
        if (padding > 0)
        {
            var extra = new byte[padding];
            extra[0] = (byte)'F';
            extra[1] = (byte)'B';
            BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(padding - 4));
            extra.AsSpan(4).Fill((byte)'Z');
            output.Write(extra);
        }

        output.Write(data);
        written.Add((name, crc, size, offset));
    }

    public void Finish()
    {
        var directoryStart = Checked(output.Position, "the central directory");
        Span<byte> header = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in written)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 20); // version made by
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 20); // version needed
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[12..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[14..], DosDate1980);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header[30..], 0); // extra
            BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 0); // comment
            BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 0); // disk
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0); // internal attributes
            BinaryPrimitives.WriteUInt32LittleEndian(header[38..], 0); // external attributes
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], offset);
            output.Write(header);
            output.Write(nameBytes);
        }

        var directorySize = Checked(output.Position - directoryStart, "the central directory");
        if (written.Count > ushort.MaxValue)
        {
            throw new IOException($"A torch.save file with {written.Count} entries needs the zip64 format, which Scouter.Core does not write (at most {ushort.MaxValue} tensors).");
        }

        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)written.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)written.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], directoryStart);
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        output.Write(end);
    }

    private static uint Checked(long value, string what) =>
        value <= uint.MaxValue
            ? (uint)value
            : throw new IOException($"Writing {what} passes 4 GiB, which needs the zip64 format; Scouter.Core writes torch.save files up to 4 GiB. Save large weights as .safetensors instead.");
}
