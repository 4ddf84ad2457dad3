using System.Text;

namespace Scouter.Cli.Arguments;

/// <summary>The text of <c>scouter --help</c>: verbs, then every flag with its default.</summary>
internal static class HelpText
{
    public static string Build()
    {
        var text = new StringBuilder();
        text.AppendLine("scouter — SCOUTER (ICCV 2021) for .NET: train, explain and measure self-explaining classifiers.");
        text.AppendLine();
        text.AppendLine("Usage: scouter VERB [--flag value]...   (the official scripts' flags; --flag=value works too)");
        text.AppendLine();
        text.AppendLine("Verbs:");
        text.AppendLine("  train      train.py: FC pre-training (--use_slot false) or SCOUTER+/- training");
        text.AppendLine("  explain    test.py --vis true: per-class explanation images (and --json) for a checkpoint");
        text.AppendLine("  cam        torchcam_vis.py: CAM-family baseline maps for every class of an FC model");
        text.AppendLine("  evaluate   explanation metrics (area, precision, IAUC, DAUC, infidelity, sensitivity)");
        text.AppendLine("  bench      milliseconds per training step and eval forward, peak memory");
        text.AppendLine("  export-official  initial weights as an official checkpoint + the torch.distributed command resuming from it");
        text.AppendLine("  export-onnx      a checkpoint as an ONNX model (scores and explanation maps) for ONNX Runtime: --checkpoint FILE --output FILE.onnx");
        text.AppendLine();
        text.AppendLine("Flags (default in brackets; booleans take yes/true/t/y/1 or no/false/f/n/0;");
        text.AppendLine("a flag given twice keeps its last value; a unique prefix of a name is accepted):");
        var width = FlagTable.All.Max(f => f.Name.Length) + 4;
        foreach (var flag in FlagTable.All)
        {
            var name = ("--" + flag.Name).PadRight(width);
            var value = flag.Default is null ? "(none)" : $"[{flag.Default}]";
            var ours = flag.Official ? string.Empty : " (Scouter.Core)";
            text.AppendLine($"  {name}{value,-16}{flag.Help}{ours}");
        }

        text.AppendLine();
        text.AppendLine("Comma lists in --num_classes, --lambda_value, --power and --slots_per_class run a sweep");
        text.AppendLine("(x --iterated_evaluation_num) and print a results table.");
        return text.ToString();
    }
}
