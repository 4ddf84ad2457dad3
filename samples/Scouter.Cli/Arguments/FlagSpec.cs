namespace Scouter.Cli.Arguments;

/// <summary>One command-line flag: its official name, kind, default and help.</summary>
/// <param name="Name">Name without dashes, as the official scripts spell it (<c>lambda_value</c>).</param>
/// <param name="Kind">How the value is read.</param>
/// <param name="Default">Default value as text (what <c>--help</c> shows), or null for none.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Official">Whether the official scripts have this flag (others are ours).</param>
internal sealed record FlagSpec(string Name, FlagKind Kind, string? Default, string Help, bool Official = true);
