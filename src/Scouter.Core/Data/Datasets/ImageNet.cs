// ImageNet ILSVRC CLS-LOC (docs/official-implementation.md §6): train/<wnid>/*.JPEG; val either in class folders (what the official code
// expects) or the distribution's flat val/ILSVRC2012_val_*.JPEG labelled by LOC_val_solution.csv, which sits at
// the root of the distribution, three levels above ILSVRC/Data/CLS-LOC/.
namespace Scouter.Core.Data.Datasets;

/// <summary>Loads the first <c>num_classes</c> sorted synsets of ImageNet's CLS-LOC folder, with boxes where the distribution gives them.</summary>
/// <remarks>
/// <c>dataset_dir</c> is the <c>ILSVRC/Data/CLS-LOC/</c> folder (the official <c>--dataset_dir</c>). The solution
/// files <c>LOC_val_solution.csv</c>, <c>LOC_train_solution.csv</c> and the names file <c>LOC_synset_mapping.txt</c>
/// are looked for in <c>dataset_dir</c> and in each of its three parent folders. Boxes are read from the solution
/// files (<c>ImageId,PredictionString</c> with <c>wnid x1 y1 x2 y2 …</c>): every box of the image's own synset.
/// Without <c>LOC_synset_mapping.txt</c> the class names are the wnids.
/// </remarks>
public static class ImageNet
{
    /// <summary>Data set name.</summary>
    public const string Name = "ImageNet";

    /// <summary>The layout <see cref="Load"/> expects, quoted in its errors.</summary>
    public const string Layout =
        "<dataset_dir> = …/ILSVRC/Data/CLS-LOC/ with train/<wnid>/*.JPEG and either val/<wnid>/*.JPEG or a flat val/ILSVRC2012_val_*.JPEG labelled by LOC_val_solution.csv (ImageId,PredictionString) three folders above dataset_dir";

    /// <summary>Loads the training and validation images of the first <paramref name="numClasses"/> sorted wnids of <c>train/</c>.</summary>
    /// <param name="datasetDir">The <c>ILSVRC/Data/CLS-LOC/</c> folder.</param>
    /// <param name="numClasses">How many sorted synsets to keep (null: all).</param>
    /// <exception cref="DatasetLayoutException">A folder or the val solution file is missing or malformed, num_classes exceeds the synsets, or a split is empty.</exception>
    public static DatasetPair Load(string datasetDir, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(datasetDir);
        var root = DatasetFiles.RequireDirectory(datasetDir, Name, Layout);
        var trainDir = DatasetFiles.RequireDirectory(Path.Combine(root, "train"), Name, Layout);
        var valDir = DatasetFiles.RequireDirectory(Path.Combine(root, "val"), Name, Layout);
        var wnids = DatasetFiles.FirstClasses(DatasetFiles.SortedSubfolders(trainDir), numClasses, Name, trainDir);
        var labelOf = wnids.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);

        var trainBoxes = FindBeside(root, "LOC_train_solution.csv") is { } trainSolution ? ReadSolution(trainSolution) : [];
        var train = ImageFolder.FromClassFolders(trainDir, wnids)
            .Select(r => r with { Boxes = BoxesOf(trainBoxes, r.Path, wnids[r.Label]) })
            .ToList();

        List<ImageRecord> val;
        if (Directory.EnumerateDirectories(valDir).Any())
        {
            var valSolution = FindBeside(root, "LOC_val_solution.csv");
            var valBoxes = valSolution is null ? [] : ReadSolution(valSolution);
            val = ImageFolder.FromClassFolders(valDir, wnids)
                .Select(r => r with { Boxes = BoxesOf(valBoxes, r.Path, wnids[r.Label]) })
                .ToList();
        }
        else
        {
            val = FlatVal(root, valDir, labelOf);
        }

        var names = ClassNames(root, wnids);
        DatasetFiles.RequireNonEmpty(train, Name, DatasetSplit.Train, trainDir);
        DatasetFiles.RequireNonEmpty(val, Name, DatasetSplit.Val, valDir);
        return new DatasetPair(new FileImageDataset(Name, DatasetSplit.Train, names, train), new FileImageDataset(Name, DatasetSplit.Val, names, val));
    }

    private static List<ImageRecord> FlatVal(string root, string valDir, Dictionary<string, int> labelOf)
    {
        var solution = FindBeside(root, "LOC_val_solution.csv")
            ?? throw new DatasetLayoutException(Path.GetFullPath(Path.Combine(root, "..", "..", "..", "LOC_val_solution.csv")),
                $"{Name}: '{valDir}' is flat (no class folders), so LOC_val_solution.csv is needed to label it, but it is neither in '{root}' nor in any of the three folders above it. Expected layout: {Layout}");
        var solutions = ReadSolution(solution);
        var records = new List<ImageRecord>();
        foreach (var file in DatasetFiles.Images(valDir))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!solutions.TryGetValue(id, out var entries) || entries.Count == 0)
            {
                continue; // not in the solution file: unlabelled (e.g. an extra file), never guessed
            }

            var wnid = entries[0].Wnid;
            if (labelOf.TryGetValue(wnid, out var label))
            {
                records.Add(new ImageRecord(file, label, entries.Where(e => e.Wnid == wnid).Select(e => e.Box).ToArray()));
            }
        }

        return records;
    }

    private static IReadOnlyList<BoundingBox> BoxesOf(Dictionary<string, List<(string Wnid, BoundingBox Box)>> solutions, string path, string wnid) =>
        solutions.TryGetValue(Path.GetFileNameWithoutExtension(path), out var entries)
            ? entries.Where(e => e.Wnid == wnid).Select(e => e.Box).ToArray()
            : [];

    private static string? FindBeside(string root, string fileName)
    {
        var folder = root;
        for (var level = 0; level <= 3 && folder is not null; level++)
        {
            var candidate = Path.Combine(folder, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            folder = Path.GetDirectoryName(folder.TrimEnd(Path.DirectorySeparatorChar));
        }

        return null;
    }

    /// <summary>Reads <c>ImageId,PredictionString</c> lines, the prediction string being groups of <c>wnid x1 y1 x2 y2</c>.</summary>
    private static Dictionary<string, List<(string Wnid, BoundingBox Box)>> ReadSolution(string path)
    {
        const string format = "ImageId,PredictionString with PredictionString = wnid x1 y1 x2 y2 [wnid x1 y1 x2 y2 …]";
        var table = new Dictionary<string, List<(string, BoundingBox)>>(StringComparer.Ordinal);
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (line == 1 || string.IsNullOrWhiteSpace(text))
            {
                continue; // header
            }

            var comma = text.IndexOf(',');
            var fields = comma < 0 ? [] : text[(comma + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (comma <= 0 || fields.Length == 0 || fields.Length % 5 != 0)
            {
                throw new DatasetLayoutException(path, $"{Name}: line {line} of '{path}' is \"{text}\"; expected \"{format}\".");
            }

            var entries = new List<(string, BoundingBox)>(fields.Length / 5);
            for (var i = 0; i < fields.Length; i += 5)
            {
                double P(int k) => DatasetFiles.ParseDouble(fields[i + k], path, line, Name, format);
                entries.Add((fields[i], new BoundingBox(P(1), P(2), P(3), P(4))));
            }

            table[text[..comma]] = entries;
        }

        return table;
    }

    private static string[] ClassNames(string root, IReadOnlyList<string> wnids)
    {
        var mapping = FindBeside(root, "LOC_synset_mapping.txt");
        if (mapping is null)
        {
            return wnids.ToArray();
        }

        // "n01440764 tench, Tinca tinca": the wnid, a space, the names.
        var names = File.ReadLines(mapping)
            .Where(l => l.Length > 0)
            .Select(l => l.Split(' ', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        return wnids.Select(w => names.TryGetValue(w, out var n) ? n : w).ToArray();
    }
}
