using Scouter.Cli.Arguments;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Interop;
using Scouter.Core.Losses;
using Scouter.Core.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>
/// <c>scouter export-official</c>, the outbound half of the DDP round trip: builds the model <c>train</c> would start
/// from with the same flags (backbone, ImageNet weights or <c>--use_pre</c>, freezing, head, seed), writes it as an
/// official checkpoint that resumes at the first epoch (model, a fresh AdamW and StepLR, epoch −1, args), and prints
/// the official <c>train.py</c> command that trains it with <c>torch.distributed</c> on <c>--world_size</c> processes.
/// </summary>
internal static class ExportOfficialCommand
{
    // Flags the printed command sets itself, or that torch.distributed sets, or that would stop train.py from training.
    private static readonly HashSet<string> Managed = ["world_size", "local_rank", "dist_url", "resume", "start_epoch", "device", "thop"];

    public static int Run(ParsedArguments args, CommandContext context)
    {
        // The official train.py builds stride 32 only: a data-set profile's finer stride gives way, a given one stops the export below.
        if (!args.IsExplicit(OfficialArgs.OutputStrideFlag))
        {
            args = args.With(new Dictionary<string, string> { [OfficialArgs.OutputStrideFlag] = Core.Backbones.BackboneOptions.DefaultOutputStride.ToString(System.Globalization.CultureInfo.InvariantCulture) }, asExplicit: true);
        }

        args = WithPretrainedBackbone(args, context);
        var effective = RunSettings.Effective(args);
        var run = RunSettings.From(args);
        if (run.OutputStride != Core.Backbones.BackboneOptions.DefaultOutputStride)
        {
            throw new UsageException($"--output_stride {run.OutputStride}: the official train.py builds its backbones at output stride 32 only, so it cannot train this model; drop --output_stride to export.");
        }

        var worldSize = run.Training.WorldSize;
        var inputChannels = DatasetRegistry.Default.ImageChannels(run.Data.Name);

        // The export itself is a one-device job: no replicas, nothing written but the checkpoint.
        run.Training.WorldSize = 1;
        run.Training.Devices = null;
        run.Training.Device = "cpu";
        var stem = CheckpointNames.Stem(run.Training.DatasetName, run.Head.UseSlot, run.Head.Polarity);
        var path = Path.GetFullPath(args.Text("checkpoint") ?? Path.Combine(run.Training.OutputDir ?? string.Empty, stem + "checkpoint_init.pth"));
        if (File.Exists(path) && !args.Boolean("overwrite"))
        {
            throw new CliException($"{path} already exists; pass --overwrite true to replace it, or choose another path with --checkpoint.");
        }

        var written = ProgressBars.Run(context, bars =>
        {
            // Three steps, each of which can take seconds for a large backbone; Ctrl+C is seen between them, and the
            // checkpoint file is replaced atomically, so a cancelled export leaves no partial file.
            var task = bars.AddTask("building the model", maxValue: 3);
            manual_seed(run.Training.Seed);
            var (model, backbone) = ModelBuilder.Build(run, inputChannels, run.Head.NumClasses, context.Logger);
            using var _ = backbone;
            using var __ = model;
            using var loss = ScouterLoss.Create(run.Loss);
            var described = OfficialArgsFactory.Describing(effective, model.Head);
            var launch = described.With(new Dictionary<string, string> { ["world_size"] = worldSize.ToString(System.Globalization.CultureInfo.InvariantCulture), ["resume"] = path, ["device"] = "cuda" });
            Step(task, "capturing the model and a fresh optimizer", context.Cancellation);
            using var trainer = new Trainer(model, loss, run.Training, args: OfficialArgsFactory.From(launch));
            using var checkpoint = trainer.CaptureCheckpoint(epoch: -1);
            Step(task, $"writing {Path.GetFileName(path)}", context.Cancellation);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            new OfficialCheckpointStore().Save(path, checkpoint);
            task.Increment(1);
            task.Description = "exported";
            return (Tensors: checkpoint.Model.Count, checkpoint.OptimizerParameterCount, Described: described);
        });
        context.Console.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: {written.Tensors} tensors, a fresh AdamW over {written.OptimizerParameterCount} parameters, StepLR; training resumes at epoch 1.");

        context.Console.WriteLine("Official command (run it in the official repository, one process per GPU):");
        context.Console.WriteLine(OfficialCommand(written.Described, worldSize, path));
        context.Console.WriteLine(
            $"Notes: with torch.distributed, --batch_size is per process: each step sees {worldSize} x {run.Training.BatchSize} images. " +
            "The official train.py declares --resume with type=str2bool but passes it to torch.load: change that declaration to type=str for it to take this file (docs/scaling.md). " +
            "Its checkpoints come back with: scouter explain|evaluate --checkpoint <file>.");
        return 0;
    }

    /// <summary>With <c>--use_pre</c>, the backbone and its input come from the FC baseline's checkpoint, as for every verb that reads a checkpoint.</summary>
    private static ParsedArguments WithPretrainedBackbone(ParsedArguments args, CommandContext context)
    {
        var run = RunSettings.From(args);
        var path = run.PreCheckpointPath;
        if (!run.UsePre || !run.Head.UseSlot || !File.Exists(path))
        {
            return args;
        }

        using var checkpoint = OfficialCheckpoint.Read(path);
        return CheckpointFlags.Resolve(args, checkpoint, CheckpointScope.Backbone | CheckpointScope.Input, context.Logger);
    }

    /// <summary>The official training command starting from <paramref name="checkpointPath"/>, with every flag whose value differs from the official default, one per line.</summary>
    public static string OfficialCommand(ParsedArguments effective, int worldSize, string checkpointPath)
    {
        var words = new List<string>
        {
            worldSize > 1 ? $"python -m torch.distributed.launch --nproc_per_node={worldSize} --use_env train.py" : "python train.py",
        };
        // Where our defaults are not the official ones (--dataset; the synthetic profile), the flag is always spelled out.
        var ours = new HashSet<string> { "dataset" };
        if (RunSettings.ProfileOf(effective) is { } profile)
        {
            ours.UnionWith(profile.Keys);
        }

        foreach (var flag in FlagTable.All.Where(f => f.Official && !Managed.Contains(f.Name)))
        {
            if (effective.Text(flag.Name) is { } value && (value != flag.Default || ours.Contains(flag.Name)))
            {
                words.Add($"--{flag.Name} {Quote(value)}");
            }
        }

        words.Add("--device cuda");
        words.Add($"--world_size {worldSize}");
        words.Add($"--resume {Quote(checkpointPath)}");
        // One flag per line with shell continuations: copyable, and no console wraps it.
        return string.Join(" \\\n  ", words);
    }

    private static void Step(Spectre.Console.ProgressTask task, string next, CancellationToken cancellation)
    {
        task.Increment(1);
        task.Description = next;
        cancellation.ThrowIfCancellationRequested();
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || "-_./:,=+".Contains(c)) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
