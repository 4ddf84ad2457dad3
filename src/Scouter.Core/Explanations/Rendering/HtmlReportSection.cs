namespace Scouter.Core.Explanations.Rendering;

/// <summary>One block of maps in an <see cref="HtmlReport"/>: SCOUTER+'s, SCOUTER−'s, or a baseline's.</summary>
/// <param name="Title">Heading, e.g. <c>SCOUTER+</c> or <c>Grad-CAM (FC model)</c>.</param>
/// <param name="Maps">The rendered maps of the same images as the report's.</param>
public sealed record HtmlReportSection(string Title, RenderedExplanations Maps);
