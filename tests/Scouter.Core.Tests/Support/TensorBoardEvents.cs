using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Scouter.Core.Tests.Support;

/// <summary>One value of a TensorBoard event: a scalar, or an encoded image with its declared size.</summary>
public sealed record TensorBoardValue(long Step, double WallTime, string Tag, float? Scalar, byte[]? Image, int ImageWidth, int ImageHeight);

/// <summary>
/// Reads TensorBoard event files written by any writer, independently of TorchSharp: the TFRecord framing (length,
/// masked CRC-32C of the length, payload, masked CRC-32C of the payload), each payload an <c>Event</c> protocol
/// buffer read field by field (wall_time = 1, step = 2, file_version = 3, summary = 5; Summary.value = 1;
/// Value.tag = 1, simple_value = 2, image = 4; Image.height = 1, width = 2, encoded_image_string = 4).
/// </summary>
public static class TensorBoardEvents
{
    /// <summary>The file_version of the first event, and every summary value of the rest.</summary>
    public static (string FileVersion, IReadOnlyList<TensorBoardValue> Values) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new List<TensorBoardValue>();
        string? version = null;
        var offset = 0;
        while (offset < bytes.Length)
        {
            var header = bytes.AsSpan(offset, 8);
            var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
            Check(header, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)), path, offset);
            var payload = bytes.AsSpan(offset + 12, length);
            Check(payload, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + length)), path, offset);
            offset += 16 + length;

            double wallTime = 0;
            long step = 0;
            var reader = new ProtoReader(payload.ToArray());
            var summaries = new List<byte[]>();
            while (reader.Next(out var field, out var wire))
            {
                switch (field, wire)
                {
                    case (1, 1): wallTime = reader.Double(); break;
                    case (2, 0): step = (long)reader.Varint(); break;
                    case (3, 2): version ??= Encoding.UTF8.GetString(reader.Bytes()); break;
                    case (5, 2): summaries.Add(reader.Bytes()); break;
                    default: reader.Skip(wire); break;
                }
            }

            foreach (var summary in summaries)
            {
                var s = new ProtoReader(summary);
                while (s.Next(out var field, out var wire))
                {
                    if (field == 1 && wire == 2)
                    {
                        values.Add(ReadValue(s.Bytes(), step, wallTime));
                    }
                    else
                    {
                        s.Skip(wire);
                    }
                }
            }
        }

        return (version ?? throw new InvalidDataException($"{path} has no file_version event."), values);
    }

    private static TensorBoardValue ReadValue(byte[] value, long step, double wallTime)
    {
        var reader = new ProtoReader(value);
        string tag = string.Empty;
        float? scalar = null;
        byte[]? image = null;
        int width = 0, height = 0;
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, 2): tag = Encoding.UTF8.GetString(reader.Bytes()); break;
                case (2, 5): scalar = reader.Float(); break;
                case (4, 2):
                    var img = new ProtoReader(reader.Bytes());
                    while (img.Next(out var f, out var w))
                    {
                        switch (f, w)
                        {
                            case (1, 0): height = (int)img.Varint(); break;
                            case (2, 0): width = (int)img.Varint(); break;
                            case (4, 2): image = img.Bytes(); break;
                            default: img.Skip(w); break;
                        }
                    }

                    break;
                default: reader.Skip(wire); break;
            }
        }

        return new TensorBoardValue(step, wallTime, tag, scalar, image, width, height);
    }

    private static void Check(ReadOnlySpan<byte> data, uint masked, string path, int offset)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        crc = ~crc;
        var expected = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
        if (expected != masked)
        {
            throw new InvalidDataException($"{path}: bad masked CRC-32C in the record at byte {offset}.");
        }
    }

    private sealed class ProtoReader(byte[] data)
    {
        private int position;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (position >= data.Length)
            {
                return false;
            }

            var key = Varint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[position++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        public double Double()
        {
            var v = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(position));
            position += 8;
            return v;
        }

        public float Float()
        {
            var v = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(position));
            position += 4;
            return v;
        }

        public byte[] Bytes()
        {
            var length = (int)Varint();
            var bytes = data.AsSpan(position, length).ToArray();
            position += length;
            return bytes;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: position += 8; break;
                case 2: Bytes(); break;
                case 5: position += 4; break;
                default: throw new InvalidDataException($"Unknown protobuf wire type {wire}.");
            }
        }
    }
}
