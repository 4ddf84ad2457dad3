namespace Scouter.Cli.Commands;

/// <summary>Which part of a model a setting a checkpoint records belongs to; a verb adopts the parts its checkpoint supplies.</summary>
[Flags]
internal enum CheckpointScope
{
    /// <summary>The backbone: its name, output stride and feature channels.</summary>
    Backbone = 1,

    /// <summary>What the model sees: the data set (stem channels, normalisation) and the image size.</summary>
    Input = 2,

    /// <summary>The head kind and class count.</summary>
    Head = 4,

    /// <summary>The xSlot head's own settings; adopted only from an xSlot checkpoint.</summary>
    SlotHead = 8,

    /// <summary>Which images the run used: the data set's folder, its split seed, the synthetic set's sizes.</summary>
    Data = 16,

    /// <summary>A whole trained model: every part.</summary>
    All = Backbone | Input | Head | SlotHead | Data,
}
