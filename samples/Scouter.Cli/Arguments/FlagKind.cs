namespace Scouter.Cli.Arguments;

/// <summary>How a flag's text value is read.</summary>
internal enum FlagKind
{
    /// <summary>Free text.</summary>
    Text,

    /// <summary>An integer.</summary>
    Integer,

    /// <summary>A floating-point number (Python syntax: <c>.2</c>, <c>1.</c>, <c>1e-4</c>).</summary>
    Number,

    /// <summary>yes/true/t/y/1 or no/false/f/n/0, as the official <c>str2bool</c>.</summary>
    Boolean,

    /// <summary>A boolean that may also stand alone, meaning true (<c>--verbose</c>, like <c>--verbose true</c>).</summary>
    Switch,

    /// <summary>A comma-separated list of integers: the run repeats for each value (a sweep).</summary>
    IntegerList,

    /// <summary>A comma-separated list of numbers: the run repeats for each value (a sweep).</summary>
    NumberList,
}
