namespace Scouter.Cli.Commands;

/// <summary>What happens when a flag given on the command line differs from the value its checkpoint records.</summary>
internal enum Disagreement
{
    /// <summary>The run would be meaningless (the weights do not fit, or every score flips): stop, naming both values.</summary>
    Error,

    /// <summary>The model computes, but not as trained: the given value is used, with a warning naming both values.</summary>
    Warn,

    /// <summary>Nothing the model computes depends on it: the given value is used silently.</summary>
    Accept,
}
