using Scouter.Cli.Arguments;
using Scouter.Core.IO;

namespace Scouter.Cli.Commands;

/// <summary>
/// Which flags of each verb name files or folders it reads or writes, and the checks run on them before any work:
/// an input must exist and be a file or a folder as the verb needs; an output must be creatable and writable, a
/// folder where a folder is needed; an existing output file is only replaced when it is one of ours. A verb not
/// listed (a new one) reads <c>--checkpoint</c> and writes under <c>--output_dir</c>, and gets those checks.
/// </summary>
internal static class FlagPaths
{
    private enum Use
    {
        /// <summary>An existing file to read.</summary>
        InputFile,

        /// <summary>An existing folder to read.</summary>
        InputFolder,

        /// <summary>A folder to write in (created if needed).</summary>
        OutputFolder,

        /// <summary>A file to write; an existing one is replaced only when it holds what this flag writes.</summary>
        OutputFile,

        /// <summary>A checkpoint file to write; an existing file that is no checkpoint is never replaced.</summary>
        NewCheckpoint,
    }

    /// <summary>Runs every check of the verb's path flags.</summary>
    /// <param name="args">The parsed command line.</param>
    /// <exception cref="CliException">A path cannot be used as the verb needs; the message names the flag.</exception>
    public static void Check(ParsedArguments args)
    {
        foreach (var (flag, use) in Of(args))
        {
            if (args.Text(flag) is not { Length: > 0 } path)
            {
                continue;
            }

            try
            {
                Check(args, flag, path, use);
            }
            catch (UnwritablePathException e)
            {
                throw new CliException($"--{flag}: {e.Message}");
            }
        }
    }

    private static IEnumerable<(string Flag, Use Use)> Of(ParsedArguments args)
    {
        switch (args.Verb)
        {
            case "train":
                yield return ("dataset_dir", Use.InputFolder);
                if (RunSettings.ResumePath(args.Text("resume")) is not null)
                {
                    yield return ("resume", Use.InputFile);
                }

                if (!args.Boolean("thop"))
                {
                    yield return ("output_dir", Use.OutputFolder);
                }

                break;
            case "explain" when args.Text("jsonl") is not null:
                yield return ("checkpoint", Use.InputFile);
                yield return ("image_dir", Use.InputFolder);
                yield return ("jsonl", Use.OutputFile);
                yield return ("overlays", Use.OutputFolder);
                break;
            case "explain" or "cam":
                yield return ("checkpoint", Use.InputFile);
                yield return ("image", Use.InputFile);
                yield return ("output_dir", Use.OutputFolder);
                if (args.Verb == "explain")
                {
                    yield return ("json", Use.OutputFile);
                }

                break;
            case "evaluate":
                yield return ("checkpoint", Use.InputFile);
                yield return ("dataset_dir", Use.InputFolder);
                yield return args.Text("json") is null ? ("output_dir", Use.OutputFolder) : ("json", Use.OutputFile);
                break;
            case "export-official":
                yield return args.Text("checkpoint") is null ? ("output_dir", Use.OutputFolder) : ("checkpoint", Use.NewCheckpoint);
                break;
            case "export-onnx":
                yield return ("checkpoint", Use.InputFile);
                yield return ("output", Use.NewCheckpoint);
                break;
            case "bench":
                break;
            default:
                yield return ("checkpoint", Use.InputFile);
                yield return ("output_dir", Use.OutputFolder);
                break;
        }
    }

    private static void Check(ParsedArguments args, string flag, string path, Use use)
    {
        switch (use)
        {
            case Use.InputFile:
                InputPaths.RequireFile(path, flag);
                break;
            case Use.InputFolder:
                InputPaths.RequireFolder(path, flag);
                break;
            case Use.OutputFolder:
                OutputPaths.RequireWritableDirectory(path);
                break;
            case Use.OutputFile:
                OutputPaths.RequireWritableFile(path);
                if (flag == "json" && File.Exists(path) && !IsOurJson(args.Verb, path))
                {
                    throw new CliException($"--json: {path} already exists and is not a JSON file that 'scouter {args.Verb}' writes; it is left untouched. Choose another path or move the file away.");
                }

                break;
            case Use.NewCheckpoint:
                // Whether an existing file may be replaced at all (--overwrite) is the verb's to say: its default path has the same rule.
                OutputPaths.RequireWritableFile(path);
                if (File.Exists(path) && !LooksLikeCheckpoint(path))
                {
                    throw new CliException($"--{flag}: {path} already exists and is not a checkpoint (a torch.save or safetensors file), so it is never replaced, --overwrite or not. Choose another path.");
                }

                break;
        }
    }

    // A torch.save zip ("PK") or a safetensors file (8-byte header length, then '{').
    private static bool LooksLikeCheckpoint(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return (read >= 2 && head[0] == (byte)'P' && head[1] == (byte)'K') || (read == 9 && head[8] == (byte)'{');
    }

    // What explain --json and evaluate --json write: replacing such a file loses nothing a rerun cannot give back.
    // Read up to a bound: ours are small, and a device such as /dev/zero never ends.
    private static bool IsOurJson(string verb, string path)
    {
        const int Bound = 256 << 20;
        using var stream = File.OpenRead(path);
        using var content = new MemoryStream();
        var block = new byte[1 << 16];
        int read;
        while ((read = stream.Read(block, 0, block.Length)) > 0)
        {
            if (content.Length + read > Bound)
            {
                return false;
            }

            content.Write(block, 0, read);
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(content.GetBuffer().AsMemory(0, (int)content.Length));
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object && (verb == "evaluate"
                ? root.TryGetProperty("rows", out _) && root.TryGetProperty("settings", out _)
                : root.TryGetProperty("attention", out _) && root.TryGetProperty("scores", out _));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
