namespace Scouter.Core.Data.Datasets;

/// <summary>The classes of <see cref="SyntheticShapesDataset"/>, in label order.</summary>
public enum SyntheticShape
{
    /// <summary>A filled disc.</summary>
    Circle,

    /// <summary>A filled square.</summary>
    Square,

    /// <summary>A filled equilateral triangle, apex up.</summary>
    Triangle,

    /// <summary>A plus sign of two bars.</summary>
    Cross,

    /// <summary>A five-pointed star.</summary>
    Star,

    /// <summary>An annulus (a disc with a hole).</summary>
    Ring,

    /// <summary>An elongated rhombus (taller than wide), so no rotation turns a square into it.</summary>
    Diamond,

    /// <summary>A crescent: a disc with an off-centre disc cut out of its right side, so its horns point right.</summary>
    Crescent,

    /// <summary>An L of two bars.</summary>
    LShape,

    /// <summary>A T of two bars.</summary>
    TShape,
}
