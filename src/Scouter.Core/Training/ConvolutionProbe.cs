namespace Scouter.Core.Training;

/// <summary>One small convolution of a <see cref="ConvolutionSelfCheck"/>, with its errors against the exact result.</summary>
/// <param name="Description">The convolution, e.g. <c>1→1 channels, 1×3 kernel, batch 2, 6×8</c>.</param>
/// <param name="ForwardError">Largest absolute error of the output, relative to the largest exact output value.</param>
/// <param name="InputGradientError">The same for the gradient with respect to the input.</param>
/// <param name="WeightGradientError">The same for the gradient with respect to the weights.</param>
public sealed record ConvolutionProbe(string Description, double ForwardError, double InputGradientError, double WeightGradientError)
{
    /// <summary>Largest relative error still counted as float32 rounding (the probes' sums have at most 180 terms).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Whether all three results are within <see cref="Tolerance"/> (a NaN error counts as wrong).</summary>
    public bool IsCorrect => ForwardError <= Tolerance && InputGradientError <= Tolerance && WeightGradientError <= Tolerance;

    /// <summary>What was wrong, e.g. <c>1→1 channels, …: input gradient off by 80%</c>; empty when correct.</summary>
    public string Failure
    {
        get
        {
            var wrong = new (string Name, double Error)[] { ("output", ForwardError), ("input gradient", InputGradientError), ("weight gradient", WeightGradientError) }
                .Where(part => !(part.Error <= Tolerance))
                .Select(part => $"{part.Name} off by {Percent(part.Error)}")
                .ToList();
            return wrong.Count == 0 ? string.Empty : $"{Description}: {string.Join(", ", wrong)}";
        }
    }

    private static string Percent(double error) =>
        double.IsNaN(error) ? "NaN" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{100 * error:G3}%");
}
