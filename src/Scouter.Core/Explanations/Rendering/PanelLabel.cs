namespace Scouter.Core.Explanations.Rendering;

/// <summary>One line of text on a panel: where its baseline starts, how large, and the width it must fit in.</summary>
/// <param name="Text">The text; shortened with an ellipsis when wider than <paramref name="MaxWidth"/>.</param>
/// <param name="X">Left edge in pixels.</param>
/// <param name="Y">Baseline in pixels.</param>
/// <param name="Size">Font size in pixels.</param>
/// <param name="MaxWidth">Width available in pixels.</param>
internal readonly record struct PanelLabel(string Text, int X, int Y, float Size, int MaxWidth);
