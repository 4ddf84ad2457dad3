namespace Scouter.Core.Interop.Pickle;

/// <summary>
/// A reference to a Python global (a class or function) found in a pickle, such as <c>torch.float16</c> or
/// <c>argparse.Namespace</c>. It is only a name: Scouter.Core never imports or calls anything a file names.
/// </summary>
/// <param name="Module">The Python module, e.g. <c>argparse</c>.</param>
/// <param name="Name">The qualified name inside the module, e.g. <c>Namespace</c>.</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <summary><c>module.name</c>, as Python would print it.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <inheritdoc />
    public override string ToString() => FullName;
}
