// Writes the zip format of torch.save (torch/serialization.py, _save) that torch.load reads from PyTorch 1.6 on:
// <archive>/data.pkl (protocol 2), <archive>/byteorder, one <archive>/data/<key> per storage, <archive>/version.
using System.Text;
using Scouter.Core.Internal;
using Scouter.Core.IO;
using Scouter.Core.Interop.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop.TorchSave;

internal static class TorchSaveWriter
{
    private const string Archive = "archive/";

    public static void Write(string path, object? root)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Writing torch.save files needs a little-endian machine.");
        }

        var storages = new List<Tensor>();
        var keys = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        using var pickle = new MemoryStream();
        new PickleWriter(pickle, (writer, tensor) => WriteTensor(writer, tensor, storages, keys)).WritePickle(root);

        AtomicFile.Write(path, stream =>
        {
            var zip = new ZipStoreWriter(stream);
            zip.Add(Archive + "data.pkl", pickle.GetBuffer().AsSpan(0, (int)pickle.Length));
            zip.Add(Archive + "byteorder", "little"u8);
            for (var i = 0; i < storages.Count; i++)
            {
                using var scope = NewDisposeScope();
                var data = storages[i].detach().cpu().contiguous();
                zip.Add(Archive + "data/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), data.bytes);
            }

            zip.Add(Archive + "version", "3\n"u8);
            zip.Finish();
        });
    }

    /// <summary>
    /// Pickles a tensor as torch.save does: <c>torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False,
    /// OrderedDict())</c> with the storage as a persistent id. The same tensor object twice shares one storage.
    /// </summary>
    private static void WriteTensor(PickleWriter writer, Tensor tensor, List<Tensor> storages, Dictionary<Tensor, string> keys)
    {
        if (tensor.IsInvalid)
        {
            throw new ObjectDisposedException(nameof(tensor), "A tensor to be saved has already been disposed.");
        }

        var dtype = TensorDtypes.Of(tensor.dtype);
        if (!keys.TryGetValue(tensor, out var key))
        {
            key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            keys[tensor] = key;
            storages.Add(tensor);
        }

        var size = tensor.shape;
        var stride = new long[size.Length];
        for (long i = size.Length - 1, step = 1; i >= 0; i--)
        {
            stride[i] = step;
            step *= Math.Max(size[i], 1);
        }

        writer.WriteGlobal("torch._utils", "_rebuild_tensor_v2");
        writer.WriteTuple(
        [
            new PersistentId(["storage", new PickleGlobal("torch", dtype.StorageName), key, "cpu", tensor.numel()]),
            0L,
            size.Cast<object?>().ToArray(),
            stride.Cast<object?>().ToArray(),
            false,
            new PickleDict(isOrdered: true),
        ]);
        writer.Reduce();
    }
}
