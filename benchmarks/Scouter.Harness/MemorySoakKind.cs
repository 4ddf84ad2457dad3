namespace Scouter.Harness;

/// <summary>What a <see cref="MemorySoak"/> run repeated.</summary>
public enum MemorySoakKind
{
    /// <summary>Training steps: forward, loss, backward, AdamW.</summary>
    Training,

    /// <summary>Explanation calls: eval forward and the 8-bit maps of every class.</summary>
    Explanations,
}
