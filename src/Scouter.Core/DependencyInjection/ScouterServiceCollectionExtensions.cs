using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scouter.Core.Options;

namespace Scouter.Core.DependencyInjection;

/// <summary>Registers Scouter.Core with an <see cref="IServiceCollection"/>.</summary>
/// <remarks>
/// The head and the loss are configured apart, each by its own options class with its own validator, so code that
/// needs one of them depends on that one only: <see cref="ClassifierHeadOptions"/> (<c>"Scouter:Head"</c>) and
/// <see cref="ScouterLossOptions"/> (<c>"Scouter:Loss"</c>).
/// </remarks>
public static class ScouterServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ClassifierHeadOptions"/> and <see cref="ScouterLossOptions"/> (set by the two actions, validated by
    /// <see cref="ClassifierHeadOptionsValidator"/> and <see cref="ScouterLossOptionsValidator"/> on start and on first use)
    /// and <see cref="IScouterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureHead">Sets the head's options.</param>
    /// <param name="configureLoss">Sets the loss's options; the official defaults when null.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddScouter(this IServiceCollection services, Action<ClassifierHeadOptions> configureHead, Action<ScouterLossOptions>? configureLoss = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureHead);
        services.AddOptions<ClassifierHeadOptions>().Configure(configureHead).ValidateOnStart();
        services.AddOptions<ScouterLossOptions>().Configure(configureLoss ?? (_ => { })).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>
    /// Adds <see cref="ClassifierHeadOptions"/> bound from the <c>"Scouter:Head"</c> section of <paramref name="configuration"/>
    /// (<see cref="ClassifierHeadOptions.SectionName"/>) and <see cref="ScouterLossOptions"/> bound from its
    /// <c>"Scouter:Loss"</c> section (<see cref="ScouterLossOptions.SectionName"/>), both validated, and
    /// <see cref="IScouterFactory"/>. A key in those sections that names no option fails when the options are first read.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration (its root, which holds the <c>"Scouter"</c> section).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// An option stands directly under <c>"Scouter"</c> instead of under <c>"Scouter:Head"</c> or <c>"Scouter:Loss"</c>, or
    /// <paramref name="configuration"/> is the <c>"Scouter"</c> section itself rather than the configuration holding it.
    /// </exception>
    public static IServiceCollection AddScouter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ScouterConfigurationLayout.ThrowIfMisplaced(configuration);
        services.AddOptions<ClassifierHeadOptions>().Bind(configuration.GetSection(ClassifierHeadOptions.SectionName), RejectUnknownKeys).ValidateOnStart();
        services.AddOptions<ScouterLossOptions>().Bind(configuration.GetSection(ScouterLossOptions.SectionName), RejectUnknownKeys).ValidateOnStart();
        return AddCore(services);
    }

    // A misspelt or renamed key would otherwise leave its option at the default without a word.
    private static void RejectUnknownKeys(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClassifierHeadOptions>, ClassifierHeadOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScouterLossOptions>, ScouterLossOptionsValidator>());
        services.TryAddSingleton<IScouterFactory, ScouterFactory>();
        return services;
    }
}
