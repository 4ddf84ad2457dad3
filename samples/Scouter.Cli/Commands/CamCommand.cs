using Microsoft.Extensions.Logging;
using Scouter.Cli.Arguments;
using Scouter.Core.Explanations.Cam;
using Scouter.Core.Explanations.Rendering;
using Spectre.Console;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter cam</c> (the official <c>torchcam_vis.py</c>): every CAM-family baseline of the FC model, for every
/// class, on one image.
/// </summary>
internal static class CamCommand
{
    public static int Run(ParsedArguments args, CommandContext context)
    {
        using var run = CheckpointRun.Load(args, context, useSlot: false);
        args = run.Arguments;
        var (inputs, pictures, _, names) = PreviewImages.Load(run.Transform, run.Data, args.Text("image"), args.Integer("vis_id"), 1);
        using var __ = inputs;
        using var ___ = pictures;
        var numClasses = run.ClassNames.Count;
        var options = new SaliencyOptions { GradMinLevel = args.Number("grad_min_level"), Samples = args.OptionalInteger("cam_samples"), Seed = args.Integer("seed") };
        var root = Path.Combine(ExplainCommand.OutputRoot(args), "cam", names[0]);
        using var classes = arange(numClasses, dtype: ScalarType.Int64).unsqueeze(0);

        var lines = ProgressBars.Run(context, bars =>
        {
            var task = bars.AddTask("baselines", maxValue: SaliencyMethodRegistry.Default.Names.Count);
            var done = new List<string>();
            foreach (var name in SaliencyMethodRegistry.Default.Names)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                task.Description = $"{name}: {numClasses} class maps";
                using var scope = NewDisposeScope();
                using var method = SaliencyMethodRegistry.Default.Create(name, run.Model, options: options);
                var maps = method.ExplainClasses(inputs, classes); // [1, n, H, W]
                using var rendered = new ExplanationRenderer(new RenderOptions { Normalization = MapNormalization.None })
                    .Render(pictures, maps, classes: classes);
                var files = rendered.Save(Path.Combine(root, name));
                done.Add($"{Markup.Escape(name),-16} {numClasses} class maps → {Markup.Escape(Path.Combine(root, name))} ({files.Count} files)");
                task.Increment(1);
            }

            task.Description = "baselines";
            return done;
        });
        lines.ForEach(context.Console.MarkupLine);
        context.Logger.LogInformation("All {Count} baselines rendered for every class", SaliencyMethodRegistry.Default.Names.Count);
        return 0;
    }
}
