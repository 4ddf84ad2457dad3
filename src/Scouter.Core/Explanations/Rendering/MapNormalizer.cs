using Scouter.Core.Internal;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Rendering;

/// <summary>Brings class maps to <c>[0, 1]</c> as a <see cref="MapNormalization"/> says, before they are drawn.</summary>
internal static class MapNormalizer
{
    /// <summary>Maps <c>[B, n, h, w]</c> normalised; uint8 maps are returned as they are (an alias).</summary>
    /// <param name="classMaps">Floating-point maps, or uint8 maps already in 8-bit form.</param>
    /// <param name="normalization">How to normalise.</param>
    /// <param name="gradMinLevel">The official <c>--grad_min_level</c> floor, in <c>[0, 1]</c>.</param>
    /// <param name="what">The caller, for messages.</param>
    public static Tensor Normalize(Tensor classMaps, MapNormalization normalization, double gradMinLevel, string what)
    {
        if (classMaps.dtype == ScalarType.Byte)
        {
            if (normalization != MapNormalization.None || gradMinLevel > 0)
            {
                throw new ArgumentException("uint8 maps are drawn as they are; use MapNormalization.None and no GradMinLevel, or pass floating-point maps.", nameof(classMaps));
            }

            return classMaps.alias();
        }

        TensorChecks.FloatingPoint(classMaps, what, nameof(classMaps));
        return normalization switch
        {
            MapNormalization.Joint => ExplanationMaps.NormalizeWithFloor(classMaps, gradMinLevel, jointly: true),
            MapNormalization.PerMap => ExplanationMaps.NormalizeWithFloor(classMaps, gradMinLevel),
            _ => gradMinLevel > 0 ? ExplanationMaps.NormalizeWithFloor(classMaps, gradMinLevel) : classMaps.alias(),
        };
    }
}
