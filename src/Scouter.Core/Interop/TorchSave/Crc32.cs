using System.Buffers.Binary;

namespace Scouter.Core.Interop.TorchSave;

/// <summary>
/// The CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) that zip entries carry and PyTorch's reader verifies.
/// Slicing-by-8 (eight lookup tables, eight bytes per step): storages run to hundreds of megabytes.
/// </summary>
internal static class Crc32
{
    private static readonly uint[][] Tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var t = Tables;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7][low & 0xFF] ^ t[6][(low >> 8) & 0xFF] ^ t[5][(low >> 16) & 0xFF] ^ t[4][low >> 24]
                ^ t[3][high & 0xFF] ^ t[2][(high >> 8) & 0xFF] ^ t[1][(high >> 16) & 0xFF] ^ t[0][high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        tables[0] = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            tables[0][n] = c;
        }

        for (var i = 1; i < 8; i++)
        {
            tables[i] = new uint[256];
            for (var n = 0; n < 256; n++)
            {
                tables[i][n] = (tables[i - 1][n] >> 8) ^ tables[0][tables[i - 1][n] & 0xFF];
            }
        }

        return tables;
    }
}
