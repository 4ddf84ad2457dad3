using Scouter.Cli.Arguments;
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
        var effective = RunSettings.Effective(args);
        var run = RunSettings.From(args);
        var worldSize = run.Training.WorldSize;
        var inputChannels = string.Equals(run.Data.Name, "MNIST", StringComparison.OrdinalIgnoreCase) ? 1 : 3;

        // The export itself is a one-device job: no replicas, nothing written but the checkpoint.
        run.Training.WorldSize = 1;
        run.Training.Devices = null;
        run.Training.Device = "cpu";
        manual_seed(run.Training.Seed);
        var (model, backbone) = ModelBuilder.Build(run, inputChannels, run.Head.NumClasses, context.Logger);
        using var _ = backbone;
        using var __ = model;
        using var loss = ScouterLoss.Create(run.Head);

        var stem = CheckpointNames.Stem(run.Training.DatasetName, run.Head.UseSlot, run.Head.Polarity);
        var path = Path.GetFullPath(args.Text("checkpoint") ?? Path.Combine(run.Training.OutputDir ?? string.Empty, stem + "checkpoint_init.pth"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var launch = effective.With(new Dictionary<string, string> { ["world_size"] = worldSize.ToString(System.Globalization.CultureInfo.InvariantCulture), ["resume"] = path, ["device"] = "cuda" });
        using (var trainer = new Trainer(model, loss, run.Training, args: OfficialArgsFactory.From(launch)))
        using (var checkpoint = trainer.CaptureCheckpoint(epoch: -1))
        {
            new OfficialCheckpointStore().Save(path, checkpoint);
            context.Console.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: {checkpoint.Model.Count} tensors, a fresh AdamW over {checkpoint.OptimizerParameterCount} parameters, StepLR; training resumes at epoch 1.");
        }

        context.Console.WriteLine("Official command (run it in the official repository, one process per GPU):");
        context.Console.WriteLine(OfficialCommand(effective, worldSize, path));
        context.Console.WriteLine(
            $"Notes: with torch.distributed, --batch_size is per process: each step sees {worldSize} x {run.Training.BatchSize} images. " +
            "The official train.py declares --resume with type=str2bool but passes it to torch.load: change that declaration to type=str for it to take this file (docs/scaling.md). " +
            "Its checkpoints come back with: scouter explain|evaluate --checkpoint <file>.");
        return 0;
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

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || "-_./:,=+".Contains(c)) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
