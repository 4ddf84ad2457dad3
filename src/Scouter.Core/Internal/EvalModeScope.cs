using static TorchSharp.torch;

namespace Scouter.Core.Internal;

/// <summary>
/// Puts a model in evaluation mode for the lifetime of the scope and restores its previous mode afterwards.
/// Explanations and metrics need eval mode: in training mode batch normalisation would mix the many perturbed
/// copies of an image, and dropout would make scores random.
/// </summary>
internal sealed class EvalModeScope : IDisposable
{
    private readonly nn.Module module;
    private readonly bool wasTraining;

    public EvalModeScope(nn.Module module)
    {
        this.module = module;
        wasTraining = module.training;
        if (wasTraining)
        {
            module.eval();
        }
    }

    public void Dispose()
    {
        if (wasTraining)
        {
            module.train(true);
        }
    }
}
