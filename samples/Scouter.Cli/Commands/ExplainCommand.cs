using System.Globalization;
using System.Text.Json;
using Scouter.Cli.Arguments;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.IO;
using Scouter.Core.Modules;
using Spectre.Console;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter explain</c> (the official <c>test.py --vis true</c>): per-class explanation overlays of a SCOUTER model
/// for one image, the per-class scores, optionally the area sizes and a JSON record with the raw attention grids.
/// With <c>--jsonl</c>, a whole split or folder instead (<see cref="BulkExplainCommand"/>).
/// </summary>
internal static class ExplainCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        args = ExplainEngine.Resolve(args, out var onnxRuntime);
        using var run = CheckpointRun.Load(args, context, batchSize: args.Text("jsonl") is null ? 1 : args.Integer("batch_size"), forwardOnly: true);
        args = run.Arguments;
        if (run.Model.Head is not XSlotClassifier head)
        {
            throw new CliException($"{run.Path} is an FC model: it has no explanation of its own. Use 'scouter cam' for its CAM-family maps.");
        }

        if (args.Text("jsonl") is { } jsonl)
        {
            return BulkExplainCommand.Run(args, context, run, jsonl, onnxRuntime);
        }

        var (inputs, pictures, labels, names) = PreviewImages.Load(run.Transform, run.Data, args.Text("image"), args.Integer("vis_id"), 1);
        using var _ = inputs;
        using var __ = pictures;
        using var scope = NewDisposeScope();
        // Inference mode, not only no_grad: no autograd bookkeeping at all. Folding batch norms would not pay here: it
        // costs two forward passes of the image to save part of one (it serves explain --jsonl, which runs many).
        using var inference = inference_mode();
        var output = run.Model.ForwardDetailed(inputs);
        var logProbs = output.LogProbabilities();
        var classNames = run.ClassNames;

        var directory = Path.Combine(OutputRoot(args), "explain", names[0]);
        using var rendered = new ExplanationRenderer(new RenderOptions { Polarity = head.Polarity }).Render(pictures, output);
        var files = rendered.Save(directory);
        using var panels = new PanelRenderer(new PanelOptions { Polarity = head.Polarity, ClassNames = classNames }).Render(pictures, output, tensor(labels), names);
        var panelFiles = panels.Save(directory);

        var scores = output.Scores[0].data<float>().ToArray();
        var probabilities = logProbs[0].exp().data<float>().ToArray();
        var areas = args.Boolean("cal_area_size")
            ? ExplanationMaps.AreaSize(ExplanationMaps.ToOfficialUInt8(output.ClassMaps!))[0].data<float>().ToArray()
            : null;
        var table = new Table().AddColumns("class", "name", "score", "probability");
        if (areas is not null)
        {
            table.AddColumn("area size");
        }

        for (var c = 0; c < scores.Length; c++)
        {
            var row = new List<string>
            {
                c.ToString(CultureInfo.InvariantCulture), Markup.Escape(classNames[c]),
                scores[c].ToString("F4", CultureInfo.InvariantCulture), probabilities[c].ToString("P2", CultureInfo.InvariantCulture),
            };
            if (areas is not null)
            {
                row.Add(areas[c].ToString("F4", CultureInfo.InvariantCulture));
            }

            table.AddRow(row.ToArray());
        }

        var predicted = Array.IndexOf(scores, scores.Max());
        context.Console.MarkupLine($"{Markup.Escape(names[0])}: predicted [bold]{Markup.Escape(classNames[predicted])}[/]{(labels[0] >= 0 ? $" (label {Markup.Escape(classNames[(int)labels[0]])})" : string.Empty)}; {(head.Polarity == Core.Options.ScouterPolarity.Negative ? "maps show why NOT each class" : "maps show why each class")}");
        context.Console.Write(table);
        context.Console.MarkupLine($"{files.Count} images and a readable panel ({Markup.Escape(Path.GetFileName(panelFiles[0]))}: the top classes' maps with names and probabilities) written to {Markup.Escape(directory)}");

        if (args.Text("json") is { } jsonPath)
        {
            var maps = output.ClassMaps![0];
            var record = new
            {
                image = names[0],
                label = labels[0] >= 0 ? classNames[(int)labels[0]] : null,
                polarity = head.Polarity.ToString(),
                class_names = classNames,
                scores,
                log_probabilities = logProbs[0].data<float>().ToArray(),
                attention = Enumerable.Range(0, (int)maps.shape[0]).Select(c =>
                    Enumerable.Range(0, (int)maps.shape[1]).Select(y => maps[c, y].data<float>().ToArray()).ToArray()).ToArray(),
                area_size = areas,
            };
            AtomicFile.Write(jsonPath, JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
            context.Console.MarkupLine($"JSON written to {Markup.Escape(jsonPath)}");
        }

        return 0;
    }

    public static string OutputRoot(ParsedArguments args) =>
        string.IsNullOrEmpty(args.Text("output_dir")) ? "." : args.Text("output_dir")!;
}
