namespace Scouter.Core.Options;

/// <summary>
/// Which question the per-class explanations answer. The numeric values are the official
/// <c>--loss_status</c> flag, so configuration may say <c>-1</c> or <c>Negative</c>.
/// </summary>
public enum ScouterPolarity
{
    /// <summary>SCOUTER−: a class's map shows the evidence <em>against</em> that class ("why not this class").</summary>
    Negative = -1,

    /// <summary>SCOUTER+: a class's map shows the evidence <em>for</em> that class ("why this class").</summary>
    Positive = 1,
}
