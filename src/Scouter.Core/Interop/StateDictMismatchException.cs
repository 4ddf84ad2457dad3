namespace Scouter.Core.Interop;

/// <summary>
/// A strict state-dict load found differences. The message lists all of them at once (missing keys, unexpected
/// keys, shape and dtype differences, as <c>expected [64, 3, 7, 7], found [64, 1, 3, 3]</c>); nothing was copied.
/// </summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception from a report.</summary>
    /// <param name="report">Every difference found.</param>
    public StateDictMismatchException(StateDictLoadReport report)
        : base($"The state dict does not match the module (strict load; nothing was copied). {report}")
    {
        Report = report;
    }

    /// <summary>Every difference found.</summary>
    public StateDictLoadReport Report { get; }
}
