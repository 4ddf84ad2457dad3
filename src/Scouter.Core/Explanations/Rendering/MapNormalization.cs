namespace Scouter.Core.Explanations.Rendering;

/// <summary>How class maps are brought to <c>[0, 1]</c> before they are coloured.</summary>
public enum MapNormalization
{
    /// <summary>One min–max per image over all its class maps: the official SCOUTER visualisation; maps stay comparable across classes.</summary>
    Joint,

    /// <summary>One min–max per map: the official baseline visualisation; every map uses the full colour range.</summary>
    PerMap,

    /// <summary>The maps are already in <c>[0, 1]</c> (e.g. <see cref="Cam.SaliencyMethod.Explain"/>'s output) or uint8.</summary>
    None,
}
