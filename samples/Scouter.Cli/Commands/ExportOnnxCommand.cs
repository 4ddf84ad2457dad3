using System.Globalization;
using Scouter.Cli.Arguments;
using Scouter.Core.Onnx;
using Spectre.Console;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter export-onnx --checkpoint FILE --output FILE.onnx [--img_size N]</c>: a trained model (ours or an official
/// checkpoint) as an ONNX model whose outputs are the log-probabilities, the scores and, for SCOUTER, the per-class
/// explanation maps, with the preprocessing and class names in its metadata (docs/onnx.md).
/// </summary>
internal static class ExportOnnxCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        var output = args.Text("output") ?? throw new UsageException("export-onnx needs --output FILE.onnx (and --checkpoint FILE, or the run's flags to find its checkpoint).");
        if (File.Exists(output) && !args.Boolean("overwrite"))
        {
            throw new CliException($"{Path.GetFullPath(output)} already exists; pass --overwrite true to replace it, or choose another path with --output.");
        }

        using var run = CheckpointRun.Load(args, context);
        // The checkpoint's img_size unless --img_size says otherwise (CheckpointFlags).
        var size = run.Settings.Data.ImageSize;
        var options = new OnnxExportOptions
        {
            ImageHeight = size,
            ImageWidth = size,
            InputChannels = run.Transform.Normalization.Mean.Count,
            Normalization = run.Transform.Normalization,
            ClassNames = run.Data is null ? null : run.ClassNames,
            BackboneName = run.Settings.Model,
            IncludeUpsampledMaps = args.Boolean("upsampled_maps"),
            Description = $"SCOUTER model exported by Scouter.Core.Onnx from {Path.GetFileName(run.Path)}",
        };

        try
        {
            ScouterOnnxExporter.Export(run.Model, output, options);
        }
        catch (NotSupportedException e)
        {
            throw new CliException(e.Message);
        }

        var outputs = run.Model.Head.NumClasses.ToString(CultureInfo.InvariantCulture);
        var maps = run.Model.Head is Core.Modules.XSlotClassifier
            ? $", {OnnxNames.ClassMaps}{(options.IncludeUpsampledMaps ? $", {OnnxNames.UpsampledMaps}" : string.Empty)}"
            : " (FC head: no maps of its own)";
        context.Console.MarkupLine($"Wrote [bold]{Markup.Escape(Path.GetFullPath(output))}[/] ({new FileInfo(output).Length / 1e6:F1} MB, opset {OnnxNames.Opset}): " +
            Markup.Escape($"input {OnnxNames.Images} [batch, {options.InputChannels}, {size}, {size}]; outputs {OnnxNames.LogProbabilities}, {OnnxNames.Scores} [batch, {outputs}]{maps}."));
        return 0;
    }
}
