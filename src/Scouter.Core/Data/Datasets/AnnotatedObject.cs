namespace Scouter.Core.Data.Datasets;

/// <summary>One annotated object of an image: its class and its box.</summary>
/// <param name="Class">Class index of the object.</param>
/// <param name="Box">Its box in the pixels of the image it was read with.</param>
public readonly record struct AnnotatedObject(int Class, BoundingBox Box);
