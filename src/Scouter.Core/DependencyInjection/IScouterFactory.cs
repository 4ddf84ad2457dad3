using Scouter.Core.Losses;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.DependencyInjection;

/// <summary>Creates SCOUTER heads, models and losses from the configured <see cref="Options.ClassifierHeadOptions"/> and <see cref="Options.ScouterLossOptions"/>.</summary>
public interface IScouterFactory
{
    /// <summary>Creates the configured head: <see cref="XSlotClassifier"/>, or <see cref="FcClassifierHead"/> when <see cref="Options.ClassifierHeadOptions.UseSlot"/> is false.</summary>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    ClassifierHead CreateHead(Device? device = null);

    /// <summary>Composes <paramref name="backbone"/> with a new configured head.</summary>
    /// <param name="backbone">A module producing <c>[B, Channels, h, w]</c> feature maps.</param>
    /// <param name="device">Where the head's parameters live (CPU when null); the backbone is not moved.</param>
    ScouterModel CreateModel(nn.Module<Tensor, Tensor> backbone, Device? device = null);

    /// <summary>Creates the SCOUTER loss with the configured λ and power (<see cref="Options.ScouterLossOptions"/>).</summary>
    ScouterLoss CreateLoss();
}
