using Microsoft.Extensions.Options;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.DependencyInjection;

/// <summary>
/// The default <see cref="IScouterFactory"/>, reading <see cref="ClassifierHeadOptions"/> and <see cref="ScouterLossOptions"/>
/// through <see cref="IOptions{TOptions}"/>.
/// </summary>
public sealed class ScouterFactory : IScouterFactory
{
    private readonly IOptions<ClassifierHeadOptions> head;
    private readonly IOptions<ScouterLossOptions> loss;

    /// <summary>Creates the factory.</summary>
    /// <param name="head">The configured head options; validated when first read.</param>
    /// <param name="loss">The configured loss options; validated when first read.</param>
    public ScouterFactory(IOptions<ClassifierHeadOptions> head, IOptions<ScouterLossOptions> loss)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(loss);
        this.head = head;
        this.loss = loss;
    }

    /// <inheritdoc />
    public ClassifierHead CreateHead(Device? device = null) => ClassifierHead.FromOptions(head.Value, device);

    /// <inheritdoc />
    public ScouterModel CreateModel(nn.Module<Tensor, Tensor> backbone, Device? device = null) =>
        ScouterModel.Create(backbone, CreateHead(device));

    /// <inheritdoc />
    public ScouterLoss CreateLoss() => ScouterLoss.Create(loss.Value);
}
