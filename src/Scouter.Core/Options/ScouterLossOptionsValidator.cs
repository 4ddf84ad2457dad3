using Microsoft.Extensions.Options;
using Scouter.Core.Internal;

namespace Scouter.Core.Options;

/// <summary>
/// Validates <see cref="ScouterLossOptions"/>. Each failure names the option, the allowed range and the value found.
/// </summary>
public sealed class ScouterLossOptionsValidator : IValidateOptions<ScouterLossOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ScouterLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(nameof(ScouterLossOptions));
        failures.FiniteAtLeastZero(options.Lambda, nameof(ScouterLossOptions.Lambda));
        failures.FinitePositive(options.Power, nameof(ScouterLossOptions.Power));
        return failures.Result();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid value, or returns the options unchanged.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="OptionsValidationException">One or more values are out of range.</exception>
    public static ScouterLossOptions ThrowIfInvalid(ScouterLossOptions options) =>
        OptionsValidation.ThrowIfInvalid(new ScouterLossOptionsValidator(), options);
}
