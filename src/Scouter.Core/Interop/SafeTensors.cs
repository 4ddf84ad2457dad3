// The safetensors format (huggingface/safetensors, docs "Format"): an 8-byte little-endian header length N, N bytes
// of UTF-8 JSON mapping each tensor name to {dtype, shape, data_offsets: [begin, end)} (offsets relative to the
// data that follows the header) plus an optional "__metadata__" map of strings, then the raw little-endian data.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Scouter.Core.Internal;
using Scouter.Core.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>Reads and writes safetensors files (no code, no pickle: only a JSON header and raw tensor bytes).</summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000; // the reference implementation's limit

    /// <summary>Reads every tensor of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors by name, in header order, on the CPU; the caller owns them (dispose the state dict).</returns>
    /// <exception cref="CheckpointFormatException">The header is malformed, or a tensor's bytes do not match its dtype, shape or offsets.</exception>
    public static StateDict Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (entries, _, dataStart) = ReadHeader(path, stream);
        var result = new StateDict();
        try
        {
            foreach (var entry in entries)
            {
                using var scope = NewDisposeScope();
                var tensor = empty(entry.Shape, entry.Dtype.Type);
                var buffer = new byte[entry.End - entry.Begin];
                stream.Position = dataStart + entry.Begin;
                stream.ReadExactly(buffer);
                if (buffer.Length > 0)
                {
                    tensor.bytes = buffer;
                }

                result.Add(entry.Name, tensor.DetachFromDisposeScope());
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    /// <summary>Reads the optional <c>__metadata__</c> map of a safetensors file (empty when absent).</summary>
    /// <param name="path">The file.</param>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(path, stream).Metadata;
    }

    /// <summary>
    /// Writes tensors as a safetensors file, in the given order, with contiguous data and a header padded to 8
    /// bytes as the reference writer does. Atomic (temporary file, then rename).
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Names and tensors (any device; written from CPU copies).</param>
    /// <param name="metadata">Optional string metadata stored under <c>__metadata__</c>.</param>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Writing safetensors files needs a little-endian machine.");
        }

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (name == MetadataKey)
                {
                    throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
                }

                TensorChecks.NotNull(tensor, nameof(tensors));
                var dtype = TensorDtypes.Of(tensor.dtype);
                var length = tensor.numel() * dtype.Size;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.SafeTensorsName);
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header.GetBuffer(), 0, (int)header.Length);
            foreach (var tensor in tensors.Values)
            {
                using var scope = NewDisposeScope();
                var data = tensor.detach().cpu().contiguous();
                stream.Write(data.bytes);
            }
        });
    }

    /// <summary>
    /// True when the file starts like a safetensors file: an 8-byte header length, then <c>{</c>. The length is not
    /// compared with the file here, so a truncated safetensors file is reported as one (by <see cref="Read"/>), not as
    /// some other format.
    /// </summary>
    internal static bool LooksLikeSafeTensors(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[9];
        return stream.ReadAtLeast(head, 9, throwOnEndOfStream: false) == 9 && head[8] == (byte)'{' && !(head[0] == (byte)'P' && head[1] == (byte)'K');
    }

    private sealed record Entry(string Name, TensorDtypes.Info Dtype, long[] Shape, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string path, FileStream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new CheckpointFormatException(path, $"not a safetensors file: it has {stream.Length} bytes, fewer than the 8-byte header length.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException(path, $"the safetensors header length says {headerLength} bytes, more than the {MaxHeaderBytes} bytes a safetensors header may have: the file is corrupt (or not a safetensors file).");
        }

        if (headerLength > (ulong)(stream.Length - 8))
        {
            throw new CheckpointFormatException(path, $"truncated safetensors file: the header length says {headerLength} bytes, but only {stream.Length - 8} bytes follow the 8-byte length.");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = stream.Length - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"the safetensors header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, $"the safetensors header must be a JSON object; found {document.RootElement.ValueKind}.");
            }

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new CheckpointFormatException(path, $"'{MetadataKey}' must map strings to strings.");
                    }

                    foreach (var item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : throw new CheckpointFormatException(path, $"'{MetadataKey}.{item.Name}' must be a string; found {item.Value.ValueKind}.");
                    }

                    continue;
                }

                entries.Add(ParseEntry(path, property, dataLength));
            }

            return (entries, metadata, dataStart);
        }
    }

    private static Entry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        var name = property.Name;
        try
        {
            var value = property.Value;
            var dtypeName = value.GetProperty("dtype").GetString() ?? "";
            var dtype = TensorDtypes.FromSafeTensorsName(dtypeName)
                ?? throw new CheckpointFormatException(path, $"tensor '{name}' has dtype {dtypeName}; supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL.");
            var shape = value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (shape.Any(s => s < 0) || offsets.Length != 2)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' has an invalid shape [{string.Join(", ", shape)}] or data_offsets [{string.Join(", ", offsets)}].");
            }

            long expected;
            try
            {
                expected = checked(shape.Aggregate(1L, (a, b) => a * b) * dtype.Size);
            }
            catch (OverflowException)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' declares shape [{string.Join(", ", shape)}] of {dtypeName}, whose size in bytes exceeds 2^63: the header is corrupt.");
            }

            if (expected > Array.MaxLength)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' ({dtypeName} [{string.Join(", ", shape)}]) holds {expected} bytes; Scouter.Core reads tensors of up to {Array.MaxLength} bytes.");
            }

            if (offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != expected)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' ({dtypeName} [{string.Join(", ", shape)}]) needs {expected} bytes; its data_offsets [{offsets[0]}, {offsets[1]}) {(offsets[1] > dataLength ? $"pass the end of the data ({dataLength} bytes; truncated file?)" : "do not match")}.");
            }

            return new Entry(name, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' in the safetensors header needs dtype, shape and data_offsets ({e.Message}).", e);
        }
    }
}
