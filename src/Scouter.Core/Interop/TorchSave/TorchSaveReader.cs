// Reads the zip format of torch.save (PyTorch >= 1.6; torch/serialization.py, _load): <archive>/data.pkl is a
// pickle whose tensors name their storages by persistent id ('storage', torch.<Type>Storage, key, location,
// numel); each storage is the raw bytes of <archive>/data/<key>, in the byte order given by <archive>/byteorder
// (little when absent).
using System.IO.Compression;
using System.IO.Hashing;
using System.Numerics;
using System.Text;
using Scouter.Core.Interop.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop.TorchSave;

internal static class TorchSaveReader
{
    public const string LegacyMessage =
        "legacy (pre-1.6) torch.save format is not supported; re-save with torch.save(..., _use_new_zipfile_serialization=True)";

    public static PyTorchFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenFile(path);
        CheckSignature(path, stream);

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, $"the file starts like a zip archive but is corrupt or truncated ({e.Message}).", e);
        }

        using (archive)
        using (var scope = NewDisposeScope())
        {
            try
            {
                var context = new Context(path, archive);
                var root = new PickleReader(context.ReadEntry(context.Prefix + "data.pkl"), context.LoadStorage, context.Call).Load();
                foreach (var tensor in context.Results)
                {
                    tensor.DetachFromDisposeScope();
                }

                return new PyTorchFile(path, root, context.Results);
            }
            catch (FormatException e)
            {
                throw new CheckpointFormatException(path, e.Message, e);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(path, $"the zip archive is corrupt ({e.Message}).", e);
            }
            catch (EndOfStreamException e)
            {
                throw new CheckpointFormatException(path, "the zip archive is truncated.", e);
            }
            catch (OverflowException e)
            {
                throw new CheckpointFormatException(path, $"a number in the pickle is out of range ({e.Message}); the file is corrupt.", e);
            }
        }
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"No weights file at '{path}'.", path, e);
        }
    }

    private static void CheckSignature(string path, Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K')
        {
            return;
        }

        if (read >= 1 && head[0] == 0x80)
        {
            throw new CheckpointFormatException(path, LegacyMessage + ".");
        }

        var found = string.Join(" ", head[..read].ToArray().Select(b => b.ToString("x2")));
        throw new CheckpointFormatException(path, $"not a torch.save file: expected a zip archive (starting with the bytes 50 4b, \"PK\"); found {(read == 0 ? "an empty file" : found)}.");
    }

    private sealed class Context
    {
        private readonly string path;
        private readonly ZipArchive archive;
        private readonly bool bigEndian;
        private readonly Dictionary<string, Tensor> storages = new(StringComparer.Ordinal);

        public Context(string path, ZipArchive archive)
        {
            this.path = path;
            this.archive = archive;
            var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
            {
                throw new CheckpointFormatException(path, $"a torch.save zip holds exactly one '<archive>/data.pkl'; found {(pickles.Count == 0 ? "none" : string.Join(", ", pickles.Select(e => e.FullName)))} among {archive.Entries.Count} entries.");
            }

            Prefix = pickles[0].FullName[..^"data.pkl".Length];
            var byteOrder = archive.GetEntry(Prefix + "byteorder");
            var order = byteOrder is null ? "little" : Encoding.ASCII.GetString(ReadEntry(byteOrder.FullName)).Trim();
            bigEndian = order switch
            {
                "little" => false,
                "big" => true,
                _ => throw new CheckpointFormatException(path, $"'{Prefix}byteorder' must say little or big; found '{order}'."),
            };
        }

        public string Prefix { get; }

        public List<Tensor> Results { get; } = [];

        public byte[] ReadEntry(string name)
        {
            var entry = Entry(name);
            var buffer = new byte[entry.Length];
            ReadInto(entry, buffer);
            return buffer;
        }

        private ZipArchiveEntry Entry(string name)
        {
            var entry = archive.GetEntry(name) ?? throw new CheckpointFormatException(path, $"the archive has no entry '{name}'.");
            return entry.Length > Array.MaxLength
                ? throw new CheckpointFormatException(path, $"entry '{name}' holds {entry.Length} bytes; Scouter.Core reads storages of up to {Array.MaxLength} bytes.")
                : entry;
        }

        // The whole entry into the destination (exactly its length), checked against the zip's CRC-32.
        private void ReadInto(ZipArchiveEntry entry, Span<byte> destination)
        {
            using (var input = entry.Open())
            {
                input.ReadExactly(destination);
            }

            if (Crc32.HashToUInt32(destination) != entry.Crc32)
            {
                throw new CheckpointFormatException(path, $"entry '{entry.FullName}' is corrupt: its bytes do not match the zip's CRC-32 checksum.");
            }
        }

        public object? LoadStorage(object? persistentId)
        {
            if (persistentId is not object?[] { Length: 5 } id || id[0] is not "storage" || id[1] is not PickleGlobal type || id[2] is not string key || PickleValues.AsInt64(id[4]) is not { } numel)
            {
                throw new FormatException($"expected a storage id ('storage', torch.<Type>Storage, key, location, numel); found {PickleValues.Describe(persistentId)}.");
            }

            var dtype = TensorDtypes.FromStorageName(type.Name);
            if (type.Module != "torch" || dtype is null)
            {
                throw new FormatException($"storage '{key}' has type {type.FullName}; supported storage dtypes are {TensorDtypes.Supported}.");
            }

            if (!storages.TryGetValue(key, out var storage))
            {
                storage = ReadStorage(key, numel, dtype);
                storages[key] = storage;
            }

            return new StorageRef(key, storage);
        }

        private Tensor ReadStorage(string key, long numel, TensorDtypes.Info dtype)
        {
            var entry = Entry(Prefix + "data/" + key);
            // Compared by division: a hostile element count times the element size could overflow and pass.
            if (numel < 0 || numel > entry.Length / dtype.Size)
            {
                throw new FormatException($"storage '{key}' should hold {numel} {dtype.Type} elements ({(BigInteger)numel * dtype.Size} bytes); its entry has {entry.Length} bytes (truncated file?).");
            }

            var storage = empty([numel], dtype.Type);
            try
            {
                // Usually the entry is exactly the storage: read straight into the tensor's memory, no managed copy.
                var direct = numel > 0 && numel * dtype.Size == entry.Length;
                var bytes = direct ? storage.bytes : new byte[entry.Length];
                ReadInto(entry, bytes);
                if (bigEndian && dtype.Size > 1)
                {
                    for (var i = 0; i + dtype.Size <= bytes.Length; i += dtype.Size)
                    {
                        bytes.Slice(i, dtype.Size).Reverse();
                    }
                }

                if (!direct && numel > 0)
                {
                    storage.bytes = bytes[..checked((int)(numel * dtype.Size))];
                }

                return storage;
            }
            catch
            {
                storage.Dispose();
                throw;
            }
        }

        public bool Call(PickleGlobal callable, object?[] args, out object? result)
        {
            switch (callable.FullName)
            {
                case "torch._utils._rebuild_tensor_v2" when args.Length is 6 or 7:
                case "torch._utils._rebuild_tensor" when args.Length == 4:
                    result = Rebuild(args[0], args[1], args[2], args[3]);
                    return true;
                case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" when args.Length >= 1 && args[0] is Tensor:
                    result = args[0];
                    return true;
                case "torch._tensor._rebuild_from_type_v2" when args is [PickleGlobal function, _, object?[] functionArgs, _]:
                    return Call(function, functionArgs, out result);
                default:
                    result = null;
                    return false;
            }
        }

        private Tensor Rebuild(object? storageArg, object? offsetArg, object? sizeArg, object? strideArg)
        {
            if (storageArg is not StorageRef storage)
            {
                throw new FormatException($"a tensor's storage must come from a persistent storage id; found {PickleValues.Describe(storageArg)}.");
            }

            var offset = PickleValues.AsInt64(offsetArg) ?? throw new FormatException($"a tensor's storage offset must be an int; found {PickleValues.Describe(offsetArg)}.");
            var size = Longs(sizeArg, "size");
            var stride = Longs(strideArg, "stride");
            if (size.Length != stride.Length || offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
            {
                throw new FormatException($"tensor in storage '{storage.Key}' has an invalid layout: size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}], offset {offset}.");
            }

            long numel = 1, last = offset;
            try
            {
                checked
                {
                    for (var i = 0; i < size.Length; i++)
                    {
                        numel *= size[i];
                        last += size[i] == 0 ? 0 : (size[i] - 1) * stride[i];
                    }
                }
            }
            catch (OverflowException)
            {
                throw new FormatException($"tensor in storage '{storage.Key}' declares size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}], whose extent overflows 64 bits: the file is corrupt.");
            }

            // A view may repeat elements (stride 0), and its copy is as large as its size says, not as its storage.
            var bytes = (BigInteger)numel * storage.Tensor.ElementSize;
            if (bytes > Array.MaxLength)
            {
                throw new FormatException($"tensor in storage '{storage.Key}' of size [{string.Join(", ", size)}] would hold {bytes} bytes; Scouter.Core reads tensors of up to {Array.MaxLength} bytes.");
            }

            Tensor result;
            if (numel == 0)
            {
                result = empty(size, storage.Tensor.dtype);
            }
            else
            {
                var available = storage.Tensor.shape[0];
                if (last >= available)
                {
                    throw new FormatException($"tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}] at offset {offset} reaches element {last} of storage '{storage.Key}', which has {available} elements (truncated or corrupt file?).");
                }

                // A contiguous copy (or a contiguous view of the storage, sharing its memory) honours any stride.
                result = storage.Tensor.as_strided(size, stride, offset).contiguous();
            }

            Results.Add(result);
            return result;
        }

        private static long[] Longs(object? value, string what)
        {
            if (value is not object?[] items)
            {
                throw new FormatException($"a tensor's {what} must be a tuple of ints; found {PickleValues.Describe(value)}.");
            }

            return items.Select(i => PickleValues.AsInt64(i) ?? throw new FormatException($"a tensor's {what} must hold ints; found {PickleValues.Describe(i)}.")).ToArray();
        }
    }

    /// <summary>What a persistent storage id resolves to: the whole storage as a flat tensor.</summary>
    private sealed record StorageRef(string Key, Tensor Tensor);
}
