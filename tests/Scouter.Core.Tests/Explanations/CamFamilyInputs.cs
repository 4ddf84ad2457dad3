using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

/// <summary>
/// The designed input of the CAM-family tests: two channels on a non-square 3×4 map, fed to
/// <see cref="ToyModels.LinearFc"/> so the feature map equals it.
/// A₀ = [[0,0,0,0],[0,2,1,0],[0,0,0,0]] (sum 3), A₁ = [[1,0,0,0],[0,0,0,0],[0,0,0,3]] (sum 4).
/// Class weights: W₀ = (1, −1), W₁ = (−1, 2), W₂ = (0.5, 0.5).
/// </summary>
public static class CamFamilyInputs
{
    public static readonly float[,] Weights = { { 1, -1 }, { -1, 2 }, { 0.5f, 0.5f } };

    public static Tensor Image() => tensor(new float[]
    {
        0, 0, 0, 0,
        0, 2, 1, 0,
        0, 0, 0, 0,

        1, 0, 0, 0,
        0, 0, 0, 0,
        0, 0, 0, 3,
    }).view(1, 2, 3, 4);

    /// <summary>CAM of class 0: A₀ − A₁.</summary>
    public static Tensor CamClass0() => tensor(new float[]
    {
        -1, 0, 0, 0,
        0, 2, 1, 0,
        0, 0, 0, -3,
    }).view(1, 3, 4);
}
