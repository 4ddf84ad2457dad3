using Microsoft.Extensions.Options;
using Scouter.Core.Internal;

namespace Scouter.Core.Training;

/// <summary>Validates <see cref="TrainingOptions"/>; each failure names the option, the allowed range and the value.</summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(nameof(TrainingOptions));
        failures.AtLeast(options.Epochs, 1, nameof(TrainingOptions.Epochs));
        failures.AtLeast(options.LrDrop, 1, nameof(TrainingOptions.LrDrop));
        failures.AtLeast(options.BatchSize, 1, nameof(TrainingOptions.BatchSize));
        failures.AtLeast(options.NumberedCheckpointEvery, 1, nameof(TrainingOptions.NumberedCheckpointEvery));
        failures.AtLeast(options.WorldSize, 1, nameof(TrainingOptions.WorldSize));
        failures.AtLeast(options.TensorBoardImages, 0, nameof(TrainingOptions.TensorBoardImages));
        failures.FinitePositive(options.LearningRate, nameof(TrainingOptions.LearningRate));
        failures.FiniteAtLeastZero(options.WeightDecay, nameof(TrainingOptions.WeightDecay));
        failures.Require(double.IsFinite(options.LrGamma) && options.LrGamma > 0 && options.LrGamma <= 1, nameof(TrainingOptions.LrGamma),
            $"must be in (0, 1]; got {options.LrGamma}.");
        failures.Require(!string.IsNullOrWhiteSpace(options.DatasetName) && options.DatasetName.IndexOfAny(Path.GetInvalidFileNameChars()) < 0, nameof(TrainingOptions.DatasetName),
            $"must be a non-empty name usable in a file name; got '{options.DatasetName}'.");

        try
        {
            var devices = ComputeDevice.ResolveAll(options.Devices, Math.Max(options.WorldSize, 1), options.Device);
            failures.Require(devices.Count <= options.BatchSize, nameof(TrainingOptions.BatchSize),
                $"({options.BatchSize}) must be at least the number of data-parallel devices ({devices.Count}): each replica needs at least one image of every training batch.");
        }
        catch (ArgumentException e)
        {
            var option = string.IsNullOrWhiteSpace(options.Devices) && options.WorldSize == 1 ? nameof(TrainingOptions.Device) : nameof(TrainingOptions.Devices);
            failures.Add(option + ":", e.Message.Split(" (Parameter")[0]);
        }

        return failures.Result();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid value, or returns the options.</summary>
    /// <param name="options">The options to check.</param>
    public static TrainingOptions ThrowIfInvalid(TrainingOptions options) =>
        OptionsValidation.ThrowIfInvalid(new TrainingOptionsValidator(), options);
}
