using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Explanations.Cam;

/// <summary>Builds a saliency method for <paramref name="model"/>, as <see cref="SaliencyMethodRegistry"/> asks for one.</summary>
/// <param name="model">The classifier to explain.</param>
/// <param name="targetLayer">The layer a layer-based method reads (a <c>named_modules()</c> name), or null for its default.</param>
/// <param name="options">Shared settings, or null for the method's defaults.</param>
public delegate SaliencyMethod SaliencyMethodFactory(nn.Module<Tensor, Tensor> model, string? targetLayer, SaliencyOptions? options);
