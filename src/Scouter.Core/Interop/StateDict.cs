using System.Collections;
using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// An ordered name → tensor map that owns its tensors: what PyTorch calls a state dict, read from or written to a
/// file. Disposing it disposes every tensor it holds.
/// </summary>
/// <remarks>
/// Tensors handed to <see cref="Add"/> become owned by the state dict. Tensors returned by the readers are detached
/// from every dispose scope, so a <c>torch.NewDisposeScope()</c> around a read does not free them behind the
/// state dict's back: dispose the state dict instead (or <see cref="Remove"/> a tensor to take it over).
/// </remarks>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly List<string> order = [];
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);

    /// <summary>Copies a module's parameters and buffers (as PyTorch's <c>state_dict()</c> lists them), detached and on the CPU.</summary>
    /// <param name="module">The module to copy.</param>
    /// <returns>A state dict owning the copies; later training does not change it.</returns>
    public static StateDict FromModule(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var result = new StateDict();
        foreach (var (name, tensor) in module.state_dict())
        {
            using var scope = NewDisposeScope();
            result.Add(name, tensor.detach().cpu().clone().DetachFromDisposeScope());
        }

        return result;
    }

    /// <inheritdoc />
    public int Count => order.Count;

    /// <summary>The names in file (or insertion) order.</summary>
    public IEnumerable<string> Keys => order;

    /// <inheritdoc />
    public IEnumerable<Tensor> Values => order.Select(name => tensors[name]);

    /// <inheritdoc />
    public Tensor this[string key] =>
        tensors.TryGetValue(key, out var tensor) ? tensor : throw new KeyNotFoundException($"The state dict has no entry '{key}'.");

    /// <summary>Adds a tensor, which the state dict then owns.</summary>
    /// <param name="name">The state-dict key, e.g. <c>backbone.conv1.weight</c>.</param>
    /// <param name="tensor">The tensor.</param>
    /// <exception cref="ArgumentException">The name is already present.</exception>
    public void Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensors.TryAdd(name, tensor))
        {
            throw new ArgumentException($"The state dict already has an entry '{name}'.", nameof(name));
        }

        order.Add(name);
    }

    /// <summary>Adds a tensor before the entry <paramref name="before"/> (or at the end when that entry is absent).</summary>
    /// <param name="name">The state-dict key.</param>
    /// <param name="tensor">The tensor, which the state dict then owns.</param>
    /// <param name="before">The key the new entry goes in front of.</param>
    public void Insert(string name, Tensor tensor, string before)
    {
        Add(name, tensor);
        var position = order.IndexOf(before);
        if (position >= 0)
        {
            order.RemoveAt(order.Count - 1);
            order.Insert(position, name);
        }
    }

    /// <summary>Removes an entry without disposing it: the caller takes the tensor over.</summary>
    /// <param name="name">The key.</param>
    /// <param name="tensor">The removed tensor, now owned by the caller.</param>
    /// <returns><see langword="true"/> when the entry existed.</returns>
    public bool Remove(string name, [MaybeNullWhen(false)] out Tensor tensor)
    {
        if (!tensors.Remove(name, out tensor))
        {
            return false;
        }

        order.Remove(name);
        return true;
    }

    /// <summary>Renames an entry, keeping its position.</summary>
    /// <param name="name">The current key.</param>
    /// <param name="newName">The new key, not yet present.</param>
    public void Rename(string name, string newName)
    {
        ArgumentNullException.ThrowIfNull(newName);
        if (!tensors.TryGetValue(name, out var tensor))
        {
            throw new KeyNotFoundException($"The state dict has no entry '{name}' to rename.");
        }

        if (tensors.ContainsKey(newName))
        {
            throw new ArgumentException($"Cannot rename '{name}' to '{newName}': the state dict already has an entry '{newName}'.", nameof(newName));
        }

        tensors.Remove(name);
        tensors[newName] = tensor;
        order[order.IndexOf(name)] = newName;
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        order.Select(name => new KeyValuePair<string, Tensor>(name, tensors[name])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        tensors.Clear();
        order.Clear();
    }
}
