using Microsoft.Extensions.Options;

namespace Scouter.Core.Internal;

internal static class OptionsValidation
{
    /// <summary>Runs a validator outside dependency injection, throwing the same exception the options system would.</summary>
    public static T ThrowIfInvalid<T>(IValidateOptions<T> validator, T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(T), result.Failures);
        }

        return options;
    }
}
