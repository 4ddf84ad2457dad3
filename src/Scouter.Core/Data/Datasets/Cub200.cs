// CUB-200-2011 (Wah et al. 2011) as the official SCOUTER loader reads it (docs/official-implementation.md §6): the first num_classes bird
// classes by folder number, the official train/test split, boxes from bounding_boxes.txt.
namespace Scouter.Core.Data.Datasets;

/// <summary>Loads CUB-200-2011 from its distribution folder (<c>CUB_200_2011/</c>).</summary>
public static class Cub200
{
    /// <summary>Data set name.</summary>
    public const string Name = "CUB200";

    /// <summary>The layout <see cref="Load"/> expects, quoted in its errors.</summary>
    public const string Layout =
        "<dataset_dir>/images.txt (<image_id> <path>), image_class_labels.txt (<image_id> <class_id 1..200>), train_test_split.txt (<image_id> <1 train | 0 test>), classes.txt (<class_id> <NNN.Name>), bounding_boxes.txt (<image_id> <x> <y> <width> <height>), images/<NNN.Name>/<file>.jpg";

    /// <summary>Loads the training and test splits of the first <paramref name="numClasses"/> classes.</summary>
    /// <param name="datasetDir">The <c>CUB_200_2011</c> folder.</param>
    /// <param name="numClasses">Keep images whose class folder number NNN ≤ this (null: all 200).</param>
    /// <returns>Labels are <c>class_id − 1</c>; boxes are <c>(x, y, x + width, y + height)</c> in original pixels.</returns>
    /// <exception cref="DatasetLayoutException">A metadata file or folder is missing or malformed, num_classes exceeds the classes, or a split is empty.</exception>
    public static DatasetPair Load(string datasetDir, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(datasetDir);
        var root = DatasetFiles.RequireDirectory(datasetDir, Name, Layout);
        string File(string name) => DatasetFiles.RequireFile(Path.Combine(root, name), Name, Layout);

        var classesPath = File("classes.txt");
        var classes = DatasetFiles.ReadTable(classesPath, 2, Name, "<class_id> <NNN.Name>")
            .Select(r => (Id: DatasetFiles.ParseInt(r.Fields[0], classesPath, r.Line, Name, "<class_id> <NNN.Name>"), Folder: r.Fields[1]))
            .OrderBy(c => c.Id)
            .ToList();
        var selected = DatasetFiles.FirstClasses(classes.Select(c => c.Folder).ToList(), numClasses, Name, classesPath);
        var classNames = selected.Select(StripNumber).ToArray();

        var images = ReadById(File("images.txt"), "<image_id> <relative path>", f => f[1]);
        var labels = ReadById(File("image_class_labels.txt"), "<image_id> <class_id>", f => f[1]);
        var split = ReadById(File("train_test_split.txt"), "<image_id> <is_training_image>", f => f[1]);
        var boxesPath = File("bounding_boxes.txt");
        var boxes = ReadById(boxesPath, "<image_id> <x> <y> <width> <height>", f => f);
        var imagesFolder = DatasetFiles.RequireDirectory(Path.Combine(root, "images"), Name, Layout);

        var train = new List<ImageRecord>();
        var val = new List<ImageRecord>();
        foreach (var (id, (line, relative)) in images.OrderBy(p => p.Key))
        {
            var folderNumber = FolderNumber(relative);
            if (folderNumber is null || folderNumber > selected.Count)
            {
                continue;
            }

            var classId = Lookup(labels, id, "image_class_labels.txt", root);
            var label = DatasetFiles.ParseInt(classId.Value, Path.Combine(root, "image_class_labels.txt"), classId.Line, Name, "<image_id> <class_id>") - 1;
            if (label != folderNumber - 1)
            {
                throw new DatasetLayoutException(Path.Combine(root, "image_class_labels.txt"), $"{Name}: image {id} ('{relative}') is in folder number {folderNumber} but image_class_labels.txt gives class {label + 1}.");
            }

            var isTrain = Lookup(split, id, "train_test_split.txt", root);
            if (isTrain.Value is not ("0" or "1"))
            {
                throw new DatasetLayoutException(Path.Combine(root, "train_test_split.txt"), $"{Name}: line {isTrain.Line} of '{Path.Combine(root, "train_test_split.txt")}' gives image {id} is_training_image '{isTrain.Value}'; expected 1 (training split) or 0 (test split, used for validation).");
            }

            var box = Lookup(boxes, id, "bounding_boxes.txt", root);
            var record = new ImageRecord(Path.Combine(imagesFolder, relative.Replace('/', Path.DirectorySeparatorChar)), label, [ParseBox(box.Value, boxesPath, box.Line)]);
            (isTrain.Value == "1" ? train : val).Add(record);
        }

        DatasetFiles.RequireNonEmpty(train, Name, DatasetSplit.Train, root, "training split (is_training_image 1 in train_test_split.txt)");
        DatasetFiles.RequireNonEmpty(val, Name, DatasetSplit.Val, root, "test split (is_training_image 0 in train_test_split.txt, used for validation)");
        return new DatasetPair(
            new FileImageDataset(Name, DatasetSplit.Train, classNames, train),
            new FileImageDataset(Name, DatasetSplit.Val, classNames, val));
    }

    private static Dictionary<int, (int Line, T Value)> ReadById<T>(string path, string format, Func<string[], T> select)
    {
        var table = new Dictionary<int, (int, T)>();
        foreach (var (line, fields) in DatasetFiles.ReadTable(path, 2, Name, format))
        {
            table[DatasetFiles.ParseInt(fields[0], path, line, Name, format)] = (line, select(fields));
        }

        return table;
    }

    private static (int Line, T Value) Lookup<T>(Dictionary<int, (int, T)> table, int id, string file, string root) =>
        table.TryGetValue(id, out var value)
            ? value
            : throw new DatasetLayoutException(Path.Combine(root, file), $"{Name}: image {id} of images.txt has no line in '{Path.Combine(root, file)}'.");

    private static BoundingBox ParseBox(string[] fields, string path, int line)
    {
        const string format = "<image_id> <x> <y> <width> <height>";
        if (fields.Length < 5)
        {
            throw new DatasetLayoutException(path, $"{Name}: line {line} of '{path}' has {fields.Length} fields; expected \"{format}\".");
        }

        var x = DatasetFiles.ParseDouble(fields[1], path, line, Name, format);
        var y = DatasetFiles.ParseDouble(fields[2], path, line, Name, format);
        var w = DatasetFiles.ParseDouble(fields[3], path, line, Name, format);
        var h = DatasetFiles.ParseDouble(fields[4], path, line, Name, format);
        return new BoundingBox(x, y, x + w, y + h);
    }

    // "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg" → 1.
    private static int? FolderNumber(string relative)
    {
        var folder = relative.Split('/', '\\')[0];
        var dot = folder.IndexOf('.');
        return dot > 0 && int.TryParse(folder.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string StripNumber(string folder)
    {
        var dot = folder.IndexOf('.');
        return dot > 0 && folder[..dot].All(char.IsDigit) ? folder[(dot + 1)..] : folder;
    }
}
