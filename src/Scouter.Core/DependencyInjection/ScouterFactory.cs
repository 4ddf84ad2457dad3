using Microsoft.Extensions.Options;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.DependencyInjection;

/// <summary>The default <see cref="IScouterFactory"/>, reading <see cref="ScouterOptions"/> through <see cref="IOptions{TOptions}"/>.</summary>
public sealed class ScouterFactory : IScouterFactory
{
    private readonly ScouterOptions options;

    /// <summary>Creates the factory.</summary>
    /// <param name="options">The configured options; validated when first read.</param>
    public ScouterFactory(IOptions<ScouterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
    }

    /// <inheritdoc />
    public ClassifierHead CreateHead(Device? device = null) => ClassifierHead.FromOptions(options, device);

    /// <inheritdoc />
    public ScouterModel CreateModel(nn.Module<Tensor, Tensor> backbone, Device? device = null) =>
        ScouterModel.Create(backbone, CreateHead(device));

    /// <inheritdoc />
    public ScouterLoss CreateLoss() => ScouterLoss.Create(options);
}
