using Microsoft.Extensions.Options;

namespace Scouter.Core.Internal;

/// <summary>
/// The failures of one options object, each naming the option as <c>Type.Property</c>, the allowed range and the value
/// found (<c>TrainingOptions.BatchSize must be at least 1; got 0.</c>), all reported at once.
/// </summary>
/// <param name="optionsType">The options class's name, the prefix of every message.</param>
internal sealed class OptionsFailures(string optionsType)
{
    private readonly List<string> failures = [];

    /// <summary>Fails <paramref name="option"/> when <paramref name="value"/> is below <paramref name="min"/>.</summary>
    public void AtLeast(int value, int min, string option) =>
        Require(value >= min, option, $"must be at least {min}; got {value}.");

    /// <summary>Fails <paramref name="option"/> unless <paramref name="value"/> is finite and at least 0.</summary>
    public void FiniteAtLeastZero(double value, string option) =>
        Require(double.IsFinite(value) && value >= 0, option, $"must be a finite number >= 0; got {value}.");

    /// <summary>Fails <paramref name="option"/> unless <paramref name="value"/> is finite and above 0.</summary>
    public void FinitePositive(double value, string option) =>
        Require(double.IsFinite(value) && value > 0, option, $"must be a finite number > 0; got {value}.");

    /// <summary>Fails <paramref name="option"/> with <paramref name="message"/> unless <paramref name="valid"/>.</summary>
    public void Require(bool valid, string option, string message)
    {
        if (!valid)
        {
            Add(option, message);
        }
    }

    /// <summary>Fails <paramref name="option"/> with <paramref name="message"/>.</summary>
    public void Add(string option, string message) => failures.Add($"{optionsType}.{option} {message}");

    /// <summary>Success, or every failure.</summary>
    public ValidateOptionsResult Result() => failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
