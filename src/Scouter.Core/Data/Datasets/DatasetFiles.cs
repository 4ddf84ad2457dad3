namespace Scouter.Core.Data.Datasets;

/// <summary>File-system checks and listings the loaders share, each failing with a <see cref="DatasetLayoutException"/> naming the path and the expected layout.</summary>
internal static class DatasetFiles
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png" };

    public static string RequireDirectory(string path, string dataset, string layout)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new DatasetLayoutException(full, $"{dataset}: '{full}' is a file; expected a folder. Expected layout: {layout}");
        }

        if (!Directory.Exists(full))
        {
            throw new DatasetLayoutException(full, $"{dataset}: folder '{full}' does not exist. Expected layout: {layout}");
        }

        return full;
    }

    public static string RequireFile(string path, string dataset, string layout)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new DatasetLayoutException(full, $"{dataset}: '{full}' is a folder; expected a file. Expected layout: {layout}");
        }

        if (!File.Exists(full))
        {
            throw new DatasetLayoutException(full, $"{dataset}: file '{full}' does not exist. Expected layout: {layout}");
        }

        return full;
    }

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>Image files directly inside <paramref name="folder"/>, sorted by ordinal file name.</summary>
    public static List<string> Images(string folder) =>
        Directory.EnumerateFiles(folder).Where(IsImage).OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();

    /// <summary>Subfolder names of <paramref name="folder"/>, sorted ordinally (Python's <c>sorted(os.listdir)</c>).</summary>
    public static List<string> SortedSubfolders(string folder) =>
        Directory.EnumerateDirectories(folder).Select(d => Path.GetFileName(d)!).OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>The first <paramref name="numClasses"/> of <paramref name="available"/>, or all when null.</summary>
    public static List<string> FirstClasses(IReadOnlyList<string> available, int? numClasses, string dataset, string path)
    {
        if (available.Count == 0)
        {
            throw new DatasetLayoutException(path, $"{dataset}: no classes found under '{path}'.");
        }

        if (numClasses is null)
        {
            return available.ToList();
        }

        if (numClasses < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{dataset}: num_classes must be at least 1.");
        }

        if (numClasses > available.Count)
        {
            throw new DatasetLayoutException(path, $"{dataset}: num_classes = {numClasses} but '{path}' has only {available.Count} classes ({Preview(available)}).");
        }

        return available.Take(numClasses.Value).ToList();
    }

    /// <param name="records">The split's images.</param>
    /// <param name="dataset">Data-set name.</param>
    /// <param name="split">Which split.</param>
    /// <param name="path">The data set's folder.</param>
    /// <param name="splitName">How the data set itself names the split, when not "train"/"val".</param>
    public static void RequireNonEmpty(IReadOnlyCollection<ImageRecord> records, string dataset, DatasetSplit split, string path, string? splitName = null)
    {
        if (records.Count == 0)
        {
            var name = splitName ?? (split == DatasetSplit.Train ? "training (train) split" : "validation (val) split");
            throw new DatasetLayoutException(path, $"{dataset}: the {name} is empty: no images found for the selected classes under '{path}'.");
        }
    }

    /// <summary>Reads a whitespace-separated metadata file, checking each line has at least <paramref name="minFields"/> fields.</summary>
    public static IEnumerable<(int Line, string[] Fields)> ReadTable(string path, int minFields, string dataset, string format)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < minFields)
            {
                throw new DatasetLayoutException(path, $"{dataset}: line {number} of '{path}' is \"{line}\"; expected \"{format}\".");
            }

            yield return (number, fields);
        }
    }

    public static int ParseInt(string text, string path, int line, string dataset, string format)
    {
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new DatasetLayoutException(path, $"{dataset}: line {line} of '{path}' has \"{text}\" where an integer was expected (\"{format}\").");
        }

        return value;
    }

    public static double ParseDouble(string text, string path, int line, string dataset, string format)
    {
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new DatasetLayoutException(path, $"{dataset}: line {line} of '{path}' has \"{text}\" where a number was expected (\"{format}\").");
        }

        return value;
    }

    /// <summary>
    /// Splits each label's files (sorted by ordinal name) by a Fisher–Yates shuffle seeded with
    /// <c>SeededRandom.For(seed, label)</c>; the first <c>round(trainFraction · n)</c> train.
    /// </summary>
    public static (List<ImageRecord> Train, List<ImageRecord> Val) StratifiedSplit(IReadOnlyList<List<string>> filesByLabel, int seed, double trainFraction, string dataset)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, $"{dataset}: the train fraction must be in (0, 1).");
        }

        var train = new List<ImageRecord>();
        var val = new List<ImageRecord>();
        for (var label = 0; label < filesByLabel.Count; label++)
        {
            var members = filesByLabel[label].OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
            SeededRandom.For(seed, label).Shuffle(members);
            var trainCount = (int)Math.Round(trainFraction * members.Count, MidpointRounding.AwayFromZero);
            train.AddRange(members.Take(trainCount).Select(f => new ImageRecord(f, label, [])));
            val.AddRange(members.Skip(trainCount).Select(f => new ImageRecord(f, label, [])));
        }

        return (train, val);
    }

    public static string Preview(IReadOnlyList<string> names) =>
        names.Count <= 5 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(5))}, …";
}
