using Scouter.Core.Losses;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.DependencyInjection;

/// <summary>Creates SCOUTER heads, models and losses from the configured <see cref="Options.ScouterOptions"/>.</summary>
public interface IScouterFactory
{
    /// <summary>Creates the configured head: <see cref="XSlotClassifier"/>, or <see cref="FcClassifierHead"/> when <c>UseSlot</c> is false.</summary>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    ClassifierHead CreateHead(Device? device = null);

    /// <summary>Composes <paramref name="backbone"/> with a new configured head.</summary>
    /// <param name="backbone">A module producing <c>[B, Channels, h, w]</c> feature maps.</param>
    /// <param name="device">Where the head's parameters live (CPU when null); the backbone is not moved.</param>
    ScouterModel CreateModel(nn.Module<Tensor, Tensor> backbone, Device? device = null);

    /// <summary>Creates the SCOUTER loss with the configured λ and power.</summary>
    ScouterLoss CreateLoss();
}
