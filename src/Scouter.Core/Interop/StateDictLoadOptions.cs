namespace Scouter.Core.Interop;

/// <summary>How <see cref="StateDictLoader"/> matches a state dict to a module.</summary>
public sealed class StateDictLoadOptions
{
    /// <summary>
    /// <see langword="true"/> (default): any missing, unexpected or mismatched entry throws
    /// <see cref="StateDictMismatchException"/> listing all of them, and nothing is copied.
    /// <see langword="false"/>: every entry that matches is copied and the report lists what was skipped or missing.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// Functions applied in order to each key of the state dict before matching: each returns the module's name for
    /// the entry, or null to drop it. See <see cref="StateDictKeyTransforms"/>.
    /// </summary>
    public IList<Func<string, string?>> KeyTransforms { get; init; } = [];

    /// <summary>
    /// Lets a floating-point entry load into a floating-point parameter of another precision (e.g. a float16 file
    /// into a float32 model), converting on copy. Off by default: a dtype difference is then reported as a mismatch.
    /// </summary>
    public bool AllowFloatingPointConversion { get; init; }
}
