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
        var failures = new List<string>();

        void AtLeast(int value, int min, string option)
        {
            if (value < min)
            {
                failures.Add($"TrainingOptions.{option} must be at least {min}; got {value}.");
            }
        }

        AtLeast(options.Epochs, 1, nameof(TrainingOptions.Epochs));
        AtLeast(options.LrDrop, 1, nameof(TrainingOptions.LrDrop));
        AtLeast(options.BatchSize, 1, nameof(TrainingOptions.BatchSize));
        AtLeast(options.NumberedCheckpointEvery, 1, nameof(TrainingOptions.NumberedCheckpointEvery));
        AtLeast(options.WorldSize, 1, nameof(TrainingOptions.WorldSize));
        AtLeast(options.TensorBoardImages, 0, nameof(TrainingOptions.TensorBoardImages));
        if (!double.IsFinite(options.LearningRate) || options.LearningRate <= 0)
        {
            failures.Add($"TrainingOptions.LearningRate must be a finite number > 0; got {options.LearningRate}.");
        }

        if (!double.IsFinite(options.WeightDecay) || options.WeightDecay < 0)
        {
            failures.Add($"TrainingOptions.WeightDecay must be a finite number >= 0; got {options.WeightDecay}.");
        }

        if (!double.IsFinite(options.LrGamma) || options.LrGamma <= 0 || options.LrGamma > 1)
        {
            failures.Add($"TrainingOptions.LrGamma must be in (0, 1]; got {options.LrGamma}.");
        }

        if (string.IsNullOrWhiteSpace(options.DatasetName) || options.DatasetName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            failures.Add($"TrainingOptions.DatasetName must be a non-empty name usable in a file name; got '{options.DatasetName}'.");
        }

        try
        {
            var devices = ComputeDevice.ResolveAll(options.Devices, Math.Max(options.WorldSize, 1), options.Device);
            if (devices.Count > options.BatchSize)
            {
                failures.Add($"TrainingOptions.BatchSize ({options.BatchSize}) must be at least the number of data-parallel devices ({devices.Count}): each replica needs at least one image of every training batch.");
            }
        }
        catch (ArgumentException e)
        {
            failures.Add($"TrainingOptions.{(string.IsNullOrWhiteSpace(options.Devices) && options.WorldSize == 1 ? nameof(TrainingOptions.Device) : nameof(TrainingOptions.Devices))}: {e.Message.Split(" (Parameter")[0]}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid value, or returns the options.</summary>
    /// <param name="options">The options to check.</param>
    public static TrainingOptions ThrowIfInvalid(TrainingOptions options) =>
        OptionsValidation.ThrowIfInvalid(new TrainingOptionsValidator(), options);
}
