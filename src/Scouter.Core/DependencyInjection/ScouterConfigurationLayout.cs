using Microsoft.Extensions.Configuration;
using Scouter.Core.Options;

namespace Scouter.Core.DependencyInjection;

/// <summary>
/// Where Scouter's options stand in a configuration: <c>"Scouter:Head"</c> and <c>"Scouter:Loss"</c>. A configuration
/// laid out otherwise would bind nothing and leave every option at its default, so it is refused with the place each
/// key belongs.
/// </summary>
internal static class ScouterConfigurationLayout
{
    private const string Root = "Scouter";

    // Each option's key under "Scouter", by the name a flat layout would give it (λ also by the official flag's name).
    private static readonly Dictionary<string, string> PathOfKey = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(ClassifierHeadOptions.UseSlot)] = Head(nameof(ClassifierHeadOptions.UseSlot)),
        [nameof(ClassifierHeadOptions.NumClasses)] = Head(nameof(ClassifierHeadOptions.NumClasses)),
        [nameof(ClassifierHeadOptions.Channels)] = Head(nameof(ClassifierHeadOptions.Channels)),
        [nameof(ClassifierHeadOptions.HiddenDim)] = Head(nameof(ClassifierHeadOptions.HiddenDim)),
        [nameof(ClassifierHeadOptions.SlotsPerClass)] = Head(nameof(ClassifierHeadOptions.SlotsPerClass)),
        [nameof(ClassifierHeadOptions.ToKLayers)] = Head(nameof(ClassifierHeadOptions.ToKLayers)),
        [nameof(ClassifierHeadOptions.Iterations)] = Head(nameof(ClassifierHeadOptions.Iterations)),
        [nameof(ClassifierHeadOptions.Polarity)] = Head(nameof(ClassifierHeadOptions.Polarity)),
        [nameof(ScouterLossOptions.Lambda)] = Loss(nameof(ScouterLossOptions.Lambda)),
        ["LambdaValue"] = Loss(nameof(ScouterLossOptions.Lambda)),
        [nameof(ScouterLossOptions.Power)] = Loss(nameof(ScouterLossOptions.Power)),
    };

    /// <summary>Throws when <paramref name="configuration"/> is the <c>"Scouter"</c> section itself or holds an option directly under it.</summary>
    public static void ThrowIfMisplaced(IConfiguration configuration)
    {
        if (configuration is IConfigurationSection section && string.Equals(section.Key, Root, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"AddScouter reads the sections \"{ClassifierHeadOptions.SectionName}\" and \"{ScouterLossOptions.SectionName}\" of the configuration it is given; " +
                $"it was given the section \"{section.Path}\" itself. Pass the configuration that holds it (for example the root).", nameof(configuration));
        }

        var misplaced = configuration.GetSection(Root).GetChildren()
            .Where(child => PathOfKey.ContainsKey(child.Key))
            .Select(child => $"\"{child.Path}\" goes to \"{PathOfKey[child.Key]}\"")
            .ToList();
        if (misplaced.Count > 0)
        {
            throw new ArgumentException($"Scouter's options are split into \"{ClassifierHeadOptions.SectionName}\" and \"{ScouterLossOptions.SectionName}\": {string.Join("; ", misplaced)}.", nameof(configuration));
        }
    }

    private static string Head(string option) => ConfigurationPath.Combine(ClassifierHeadOptions.SectionName, option);

    private static string Loss(string option) => ConfigurationPath.Combine(ScouterLossOptions.SectionName, option);
}
