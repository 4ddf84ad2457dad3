using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scouter.Core.Options;

namespace Scouter.Core.DependencyInjection;

/// <summary>Registers Scouter.Core with an <see cref="IServiceCollection"/>.</summary>
public static class ScouterServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ScouterOptions"/> (configured by <paramref name="configure"/>, validated by
    /// <see cref="ScouterOptionsValidator"/> on start and on first use) and <see cref="IScouterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddScouter(this IServiceCollection services, Action<ScouterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ScouterOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>
    /// Adds <see cref="ScouterOptions"/> bound from <paramref name="configuration"/> (for example the
    /// <c>"Scouter"</c> section, <see cref="ScouterOptions.SectionName"/>), validated, and <see cref="IScouterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the option values.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddScouter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScouterOptions>().Bind(configuration).ValidateOnStart();
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScouterOptions>, ScouterOptionsValidator>());
        services.TryAddSingleton<IScouterFactory, ScouterFactory>();
        return services;
    }
}
