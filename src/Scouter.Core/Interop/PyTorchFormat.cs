using Scouter.Core.Interop.Pickle;
using Scouter.Core.Interop.TorchSave;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// Reads and writes PyTorch weight files without Python or TorchSharp.PyBridge: the zip format of
/// <c>torch.save</c> (PyTorch 1.6 and later; <c>.pth</c>, <c>.pt</c>, <c>.bin</c>, <c>.ckpt</c>) and safetensors.
/// </summary>
/// <example>
/// <code>
/// using var weights = PyTorchFormat.ReadStateDict("resnet18.pth");
/// var report = StateDictLoader.Load(backbone, weights, new StateDictLoadOptions { KeyTransforms = { StateDictKeyTransforms.Drop("fc.") } });
/// PyTorchFormat.WriteStateDict("mine.pth", model);   // torch.load + load_state_dict(strict=True) in Python
/// </code>
/// </example>
public static class PyTorchFormat
{
    /// <summary>
    /// Reads any torch.save file. Nothing in it is executed: the pickle is interpreted, and Python values become
    /// null (None), <see cref="bool"/>, <see cref="long"/> (or <see cref="System.Numerics.BigInteger"/>),
    /// <see cref="double"/>, <see cref="string"/>, <c>byte[]</c>, <c>object?[]</c> (tuple),
    /// <c>List&lt;object?&gt;</c> (list), <see cref="PickleDict"/> (dict and OrderedDict), <c>HashSet&lt;object?&gt;</c>
    /// (set), <see cref="TorchSharp.torch.Tensor"/> (on the CPU, contiguous, strides honoured), and inert
    /// <see cref="PickleObject"/> / <see cref="PickleGlobal"/> records for everything else (e.g. <c>argparse.Namespace</c>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The content; dispose it to free its tensors.</returns>
    /// <exception cref="CheckpointFormatException">Not a torch.save zip file (legacy formats included), or corrupt.</exception>
    public static PyTorchFile Read(string path) => TorchSaveReader.Read(path);

    /// <summary>
    /// Reads a state dict from a torch.save file or a safetensors file (told apart by content). A torch.save file
    /// may hold the state dict itself, or a checkpoint dictionary holding it under <c>model</c> or <c>state_dict</c>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors by name, in file order; the caller owns them (dispose the state dict).</returns>
    /// <exception cref="CheckpointFormatException">The file is neither format, is corrupt, or holds no state dict.</exception>
    public static StateDict ReadStateDict(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (SafeTensors.LooksLikeSafeTensors(path))
        {
            return SafeTensors.Read(path);
        }

        using var file = Read(path);
        return file.TakeStateDict(FindStateDict(file), "the state dict");
    }

    /// <summary>
    /// Writes any supported value (see <see cref="Read"/> for the mapping; other .NET dictionaries become dicts,
    /// other lists and arrays lists, a <see cref="StateDict"/> an OrderedDict) as a torch.save file that PyTorch 1.6+
    /// reads with <c>torch.load</c>. The file is written atomically (temporary file, then rename).
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="root">The object to save, e.g. a checkpoint dictionary.</param>
    public static void Write(string path, object? root) => TorchSaveWriter.Write(path, root);

    /// <summary>
    /// Writes a state dict: as safetensors when <paramref name="path"/> ends in <c>.safetensors</c>, otherwise as a
    /// torch.save file holding an OrderedDict (what <c>torch.save(model.state_dict(), path)</c> writes). Atomic.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="stateDict">Names and tensors (any device; written from CPU copies).</param>
    public static void WriteStateDict(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            SafeTensors.Write(path, stateDict);
            return;
        }

        var ordered = new PickleDict(isOrdered: true);
        foreach (var (name, tensor) in stateDict)
        {
            ordered[name] = tensor;
        }

        Write(path, ordered);
    }

    /// <summary>Writes a module's state dict (parameters and buffers) as <see cref="WriteStateDict(string, IReadOnlyDictionary{string, Tensor})"/> does.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="module">The module.</param>
    public static void WriteStateDict(string path, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        WriteStateDict(path, module.state_dict());
    }

    private static PickleDict FindStateDict(PyTorchFile file)
    {
        static bool AllTensors(PickleDict dict) => dict.Count > 0 && dict.All(e => e.Key is string && e.Value is Tensor);

        if (file.Root is PickleDict root)
        {
            if (AllTensors(root) || root.Count == 0)
            {
                return root;
            }

            foreach (var key in new[] { "model", "state_dict" })
            {
                if (root.TryGetValue(key, out var inner) && inner is PickleDict dict && AllTensors(dict))
                {
                    return dict;
                }
            }

            throw new CheckpointFormatException(file.FilePath, $"expected a state dict (str names to tensors) or a checkpoint holding one under 'model' or 'state_dict'; found a dictionary with keys {string.Join(", ", root.Keys.Take(10).Select(PickleValues.Describe))}. Use PyTorchFormat.Read to inspect it.");
        }

        throw new CheckpointFormatException(file.FilePath, $"expected a state dict (str names to tensors); found a {PickleValues.Describe(file.Root)}. Use PyTorchFormat.Read to inspect it.");
    }
}
