using Scouter.Core.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// Copies a state dict into a module's parameters and buffers (batch-norm running statistics and
/// <c>num_batches_tracked</c> included), after checking every entry. Unlike TorchSharp's <c>load_state_dict</c>
/// it never fails in native code on a shape difference and never copies a merely broadcastable shape: all
/// differences are collected first and reported together.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Checks and loads <paramref name="stateDict"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The module to fill; its parameters keep their device and dtype.</param>
    /// <param name="stateDict">Names and tensors (any device); not modified, and still owned by the caller.</param>
    /// <param name="options">Strictness and key transforms; strict with no transforms when null.</param>
    /// <returns>What was loaded and every difference (all empty on a complete strict load).</returns>
    /// <exception cref="StateDictMismatchException">Strict mode and at least one difference; nothing was copied.</exception>
    /// <exception cref="ArgumentException">Two state-dict keys map to the same name after the key transforms.</exception>
    public static StateDictLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, StateDictLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        options ??= new StateDictLoadOptions();

        var targets = module.state_dict();
        var sources = new Dictionary<string, (string Original, Tensor Tensor)>(StringComparer.Ordinal);
        var order = new List<string>();
        var dropped = new List<string>();
        foreach (var (original, tensor) in stateDict)
        {
            TensorChecks.NotNull(tensor, $"{nameof(stateDict)}[\"{original}\"]");
            string? name = original;
            foreach (var transform in options.KeyTransforms)
            {
                name = transform(name);
                if (name is null)
                {
                    break;
                }
            }

            if (name is null)
            {
                dropped.Add(original);
                continue;
            }

            if (!sources.TryAdd(name, (original, tensor)))
            {
                throw new ArgumentException($"State-dict keys '{sources[name].Original}' and '{original}' both become '{name}' after the key transforms.", nameof(stateDict));
            }

            order.Add(name);
        }

        var missing = targets.Keys.Where(k => !sources.ContainsKey(k)).ToList();
        var unexpected = order.Where(k => !targets.ContainsKey(k)).ToList();
        var mismatched = new List<StateDictMismatch>();
        var matching = new List<string>();
        foreach (var (name, target) in targets)
        {
            if (!sources.TryGetValue(name, out var source))
            {
                continue;
            }

            var sameShape = target.shape.SequenceEqual(source.Tensor.shape);
            var dtypeOk = target.dtype == source.Tensor.dtype
                || (options.AllowFloatingPointConversion && target.is_floating_point() && source.Tensor.is_floating_point());
            if (sameShape && dtypeOk)
            {
                matching.Add(name);
            }
            else
            {
                mismatched.Add(new StateDictMismatch(name, target.shape, source.Tensor.shape, target.dtype, source.Tensor.dtype));
            }
        }

        var moduleName = module.GetType().Name;
        if (options.Strict && (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0))
        {
            throw new StateDictMismatchException(new StateDictLoadReport(moduleName, [], missing, unexpected, mismatched, dropped));
        }

        using (no_grad())
        {
            foreach (var name in matching)
            {
                targets[name].copy_(sources[name].Tensor);
            }
        }

        return new StateDictLoadReport(moduleName, matching, missing, unexpected, mismatched, dropped);
    }
}
