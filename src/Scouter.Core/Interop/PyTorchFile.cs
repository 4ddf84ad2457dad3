using Scouter.Core.Interop.Pickle;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// Everything a torch.save file holds: the unpickled object (<see cref="Root"/>) and the tensors in it, which this
/// object owns. Disposing it disposes those tensors.
/// </summary>
/// <remarks>
/// Python values appear as described on <see cref="PyTorchFormat.Read"/>. The tensors live on the CPU, are
/// contiguous, and are detached from every dispose scope: dispose this object (or take a state dict out with
/// <see cref="TakeStateDict"/>) to free them.
/// </remarks>
public sealed class PyTorchFile : IDisposable
{
    private readonly HashSet<Tensor> owned;

    internal PyTorchFile(string path, object? root, IEnumerable<Tensor> tensors)
    {
        FilePath = path;
        Root = root;
        owned = new HashSet<Tensor>(tensors, ReferenceEqualityComparer.Instance);
    }

    /// <summary>The file that was read.</summary>
    public string FilePath { get; }

    /// <summary>The unpickled object: for a state dict a <see cref="PickleDict"/> of tensors, for a checkpoint usually a <see cref="PickleDict"/> with <c>model</c>, <c>epoch</c>….</summary>
    public object? Root { get; }

    /// <summary>
    /// Moves the tensors of a dictionary of tensors (the root itself, or a value inside it such as
    /// <c>Root["model"]</c>) into a new <see cref="StateDict"/>, which the caller owns: disposing this file leaves them alone.
    /// </summary>
    /// <param name="dictionary">A dictionary found in <see cref="Root"/>, with string keys and tensor values.</param>
    /// <param name="what">How to name the dictionary in an error message.</param>
    /// <exception cref="CheckpointFormatException">A key is not a string or a value is not a tensor.</exception>
    internal StateDict TakeStateDict(PickleDict dictionary, string what = "the state dict")
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        foreach (var (key, value) in dictionary)
        {
            if (key is not string || value is not Tensor)
            {
                throw new CheckpointFormatException(FilePath, $"{what} must map str names to tensors; its entry {PickleValues.Describe(key)} holds a {PickleValues.Describe(value)}.");
            }
        }

        var result = new StateDict();
        foreach (var (key, value) in dictionary)
        {
            var tensor = (Tensor)value!;
            if (result.ContainsKey((string)key))
            {
                continue;
            }

            // One tensor object may appear under two names (tied weights); each name gets its own handle.
            result.Add((string)key, owned.Remove(tensor) ? tensor : tensor.alias().DetachFromDisposeScope());
        }

        return result;
    }

    /// <summary>Disposes every tensor still owned by this file.</summary>
    public void Dispose()
    {
        foreach (var tensor in owned)
        {
            tensor.Dispose();
        }

        owned.Clear();
    }
}
