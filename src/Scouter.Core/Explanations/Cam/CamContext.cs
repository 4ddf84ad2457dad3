using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>What a CAM-family method sees when it computes its channel weights for one chunk of images.</summary>
/// <param name="Images">Model inputs <c>[b, C, H, W]</c>.</param>
/// <param name="Target">What is explained for each image.</param>
/// <param name="Activations">Target-layer activations <c>A [b, K, h, w]</c> of the clean images.</param>
/// <param name="Gradients"><c>∂score/∂A [b, K, h, w]</c>, or null when the method declared it does not use them.</param>
/// <param name="Generator">The call's seeded random generator (CPU).</param>
/// <param name="Method">The method, for its helpers (further forward or backward passes).</param>
public sealed record CamContext(Tensor Images, ExplanationTarget Target, Tensor Activations, Tensor? Gradients, Generator Generator, ActivationCamMethod Method)
{
    /// <summary>The gradients, or an explanation of why they are missing.</summary>
    public Tensor RequireGradients() => Gradients ?? throw new InvalidOperationException($"{Method.Name} declared that it does not use gradients.");
}
