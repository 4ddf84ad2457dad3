using static TorchSharp.torch;

namespace Scouter.Core.Internal;

internal static class StateDicts
{
    /// <summary>
    /// Copies every entry of <paramref name="source"/> into the module's parameters and buffers of the same name,
    /// after checking that names, shapes and dtypes match exactly (TorchSharp's own load would fail natively or
    /// broadcast silently).
    /// </summary>
    public static void CopyInto(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string paramName)
    {
        var target = module.state_dict();
        var problems = new List<string>();
        problems.AddRange(target.Keys.Except(source.Keys).Select(k => $"missing '{k}'"));
        problems.AddRange(source.Keys.Except(target.Keys).Select(k => $"unexpected '{k}'"));
        foreach (var (name, value) in source)
        {
            if (target.TryGetValue(name, out var existing) && (!existing.shape.SequenceEqual(value.shape) || existing.dtype != value.dtype))
            {
                problems.Add($"'{name}': expected [{string.Join(", ", existing.shape)}] {existing.dtype}, found [{string.Join(", ", value.shape)}] {value.dtype}");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The state dict does not fit the model ({problems.Count} problem(s)): {string.Join("; ", problems)}.", paramName);
        }

        using var noGrad = no_grad();
        foreach (var (name, value) in source)
        {
            target[name].copy_(value);
        }
    }
}
