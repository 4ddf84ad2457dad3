using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>An entry present in both the module and the state dict whose shape or dtype differs.</summary>
/// <param name="Key">The module's name for the entry.</param>
/// <param name="ExpectedShape">The module's shape.</param>
/// <param name="FoundShape">The state dict's shape.</param>
/// <param name="ExpectedDtype">The module's dtype.</param>
/// <param name="FoundDtype">The state dict's dtype.</param>
public sealed record StateDictMismatch(string Key, long[] ExpectedShape, long[] FoundShape, ScalarType ExpectedDtype, ScalarType FoundDtype)
{
    /// <summary>True when the shapes differ.</summary>
    public bool IsShapeMismatch => !ExpectedShape.SequenceEqual(FoundShape);

    /// <summary>True when the dtypes differ.</summary>
    public bool IsDtypeMismatch => ExpectedDtype != FoundDtype;

    /// <summary>E.g. <c>backbone.conv1.weight: expected [64, 3, 7, 7], found [64, 1, 3, 3]</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (IsShapeMismatch)
        {
            parts.Add($"expected [{string.Join(", ", ExpectedShape)}], found [{string.Join(", ", FoundShape)}]");
        }

        if (IsDtypeMismatch)
        {
            parts.Add($"expected dtype {ExpectedDtype}, found {FoundDtype}");
        }

        return $"{Key}: {string.Join("; ", parts)}";
    }
}
