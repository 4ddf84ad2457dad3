namespace Scouter.Core.Interop.Pickle;

/// <summary>
/// An inert record of a Python object a pickle would have built by calling <see cref="Type"/>: what to call, with
/// which arguments, and the state <c>__setstate__</c> would have received. Nothing is ever executed; unknown
/// objects (and a few known ones without a .NET counterpart, such as <c>argparse.Namespace</c> and
/// <c>torch.device</c>) are kept this way so a file can be inspected and written back.
/// </summary>
/// <param name="Type">The class or function the pickle names.</param>
/// <param name="Args">The positional arguments of the call.</param>
/// <param name="State">The state set after construction (usually a <see cref="PickleDict"/> of attributes), or null.</param>
/// <param name="IsNewObject">
/// <see langword="true"/> when the pickle created the object with <c>cls.__new__(cls, *args)</c> (opcode NEWOBJ)
/// rather than by calling <see cref="Type"/>; kept so a written pickle builds it the same way.
/// </param>
internal sealed record PickleObject(PickleGlobal Type, IReadOnlyList<object?> Args, object? State, bool IsNewObject)
{
    /// <summary>The state set after construction (usually a <see cref="PickleDict"/> of attributes), or null.</summary>
    public object? State { get; internal set; } = State;

    /// <summary>The object's attributes when its state is a dictionary with string keys (e.g. an <c>argparse.Namespace</c>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, object?> Attributes =>
        State is PickleDict dict
            ? dict.Where(e => e.Key is string).ToDictionary(e => (string)e.Key, e => e.Value, StringComparer.Ordinal)
            : new Dictionary<string, object?>();

    /// <inheritdoc />
    public override string ToString() => $"{Type.FullName}({string.Join(", ", Args.Select(PickleValues.Describe))})";
}
