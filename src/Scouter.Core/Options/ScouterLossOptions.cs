namespace Scouter.Core.Options;

/// <summary>
/// The SCOUTER loss's area term, <c>λ·(mean attention)^p</c>: its weight <see cref="Lambda"/> and exponent
/// <see cref="Power"/>. Defaults are those of the official <c>train.py</c> flags. The head has its own options,
/// <see cref="ClassifierHeadOptions"/>.
/// </summary>
/// <remarks>
/// Bind it from the <c>"Scouter:Loss"</c> configuration section (<see cref="SectionName"/>) with
/// <see cref="DependencyInjection.ScouterServiceCollectionExtensions"/>, or create it directly;
/// <see cref="ScouterLossOptionsValidator"/> checks every value.
/// </remarks>
public sealed class ScouterLossOptions
{
    /// <summary>The configuration section conventionally used for these options.</summary>
    public const string SectionName = "Scouter:Loss";

    /// <summary>
    /// Weight λ of the area term (the official flag <c>--lambda_value</c>, default 1). A larger λ makes the
    /// explanatory regions smaller.
    /// </summary>
    public double Lambda { get; set; } = 1.0;

    /// <summary>Exponent applied to the mean attention in the area term (<c>--power</c>, default 2).</summary>
    public double Power { get; set; } = 2.0;
}
