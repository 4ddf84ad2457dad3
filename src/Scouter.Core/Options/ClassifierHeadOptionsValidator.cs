using Microsoft.Extensions.Options;
using Scouter.Core.Internal;

namespace Scouter.Core.Options;

/// <summary>
/// Validates <see cref="ClassifierHeadOptions"/>. Each failure names the option, the allowed range and the value found.
/// </summary>
public sealed class ClassifierHeadOptionsValidator : IValidateOptions<ClassifierHeadOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClassifierHeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(nameof(ClassifierHeadOptions));
        failures.AtLeast(options.NumClasses, 1, nameof(ClassifierHeadOptions.NumClasses));
        failures.AtLeast(options.Channels, 1, nameof(ClassifierHeadOptions.Channels));
        failures.AtLeast(options.SlotsPerClass, 1, nameof(ClassifierHeadOptions.SlotsPerClass));
        failures.AtLeast(options.ToKLayers, 1, nameof(ClassifierHeadOptions.ToKLayers));
        failures.AtLeast(options.Iterations, 1, nameof(ClassifierHeadOptions.Iterations));
        failures.Require(options.HiddenDim >= 2 && options.HiddenDim % 2 == 0, nameof(ClassifierHeadOptions.HiddenDim),
            $"must be an even number of at least 2 (the sine position embedding splits it between the two axes); got {options.HiddenDim}.");
        failures.Require(options.Polarity is ScouterPolarity.Positive or ScouterPolarity.Negative, nameof(ClassifierHeadOptions.Polarity),
            $"(loss_status) must be Positive (1) or Negative (-1); got {(int)options.Polarity}.");
        failures.Require((long)options.NumClasses * options.SlotsPerClass <= int.MaxValue, "NumClasses × SlotsPerClass",
            $"must fit in an int; got {options.NumClasses} × {options.SlotsPerClass}.");
        return failures.Result();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid value, or returns the options unchanged.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="OptionsValidationException">One or more values are out of range.</exception>
    public static ClassifierHeadOptions ThrowIfInvalid(ClassifierHeadOptions options) =>
        OptionsValidation.ThrowIfInvalid(new ClassifierHeadOptionsValidator(), options);
}
