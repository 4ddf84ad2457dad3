using Microsoft.Extensions.Options;
using Scouter.Core.Internal;

namespace Scouter.Core.Options;

/// <summary>
/// Validates <see cref="ScouterOptions"/>. Each failure names the option, the allowed range and the value found.
/// </summary>
public sealed class ScouterOptionsValidator : IValidateOptions<ScouterOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ScouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        void AtLeast(int value, int min, string option)
        {
            if (value < min)
            {
                failures.Add($"ScouterOptions.{option} must be at least {min}; got {value}.");
            }
        }

        AtLeast(options.NumClasses, 1, nameof(ScouterOptions.NumClasses));
        AtLeast(options.Channels, 1, nameof(ScouterOptions.Channels));
        AtLeast(options.SlotsPerClass, 1, nameof(ScouterOptions.SlotsPerClass));
        AtLeast(options.ToKLayers, 1, nameof(ScouterOptions.ToKLayers));
        AtLeast(options.Iterations, 1, nameof(ScouterOptions.Iterations));

        if (options.HiddenDim < 2 || options.HiddenDim % 2 != 0)
        {
            failures.Add($"ScouterOptions.HiddenDim must be an even number of at least 2 (the sine position embedding splits it between the two axes); got {options.HiddenDim}.");
        }

        if (options.Polarity is not (ScouterPolarity.Positive or ScouterPolarity.Negative))
        {
            failures.Add($"ScouterOptions.Polarity (loss_status) must be Positive (1) or Negative (-1); got {(int)options.Polarity}.");
        }

        if (!double.IsFinite(options.LambdaValue) || options.LambdaValue < 0)
        {
            failures.Add($"ScouterOptions.LambdaValue must be a finite number >= 0; got {options.LambdaValue}.");
        }

        if (!double.IsFinite(options.Power) || options.Power <= 0)
        {
            failures.Add($"ScouterOptions.Power must be a finite number > 0; got {options.Power}.");
        }

        if ((long)options.NumClasses * options.SlotsPerClass > int.MaxValue)
        {
            failures.Add($"ScouterOptions.NumClasses × SlotsPerClass must fit in an int; got {options.NumClasses} × {options.SlotsPerClass}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid value, or returns the options unchanged.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="OptionsValidationException">One or more values are out of range.</exception>
    public static ScouterOptions ThrowIfInvalid(ScouterOptions options) =>
        OptionsValidation.ThrowIfInvalid(new ScouterOptionsValidator(), options);
}
