using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Cli.Tests;

/// <summary>Writes tiny data sets in each real on-disk layout the seed uses, with images whose class shows as a bright quadrant.</summary>
public sealed class DatasetLayouts : IDisposable
{
    private static readonly torchvision.io.SkiaImager Imager = new(quality: 95);

    public DatasetLayouts()
    {
        Root = Directory.CreateTempSubdirectory("scouter-cli-").FullName;
    }

    public string Root { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static byte[] Image(int label, int size, int seed, int channels = 3)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(seed * 31 + label + 1));
        var image = (rand([channels, size, size], generator: generator) * 60).to(ScalarType.Byte);
        var half = size / 2;
        var top = label / 2 % 2 * half;
        var left = label % 2 * half;
        image[.., top..(top + half), left..(left + half)] = tensor((byte)230);
        return Imager.EncodeImage(image.contiguous(), torchvision.ImageFormat.Jpeg);
    }

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>MNIST in the standard gzip IDX layout: 12 training and 6 test images of 28×28.</summary>
    public string Mnist()
    {
        void Idx(string name, int count, int seed)
        {
            var pixels = new List<byte>();
            var labels = new List<byte>();
            for (var i = 0; i < count; i++)
            {
                var label = i % 3;
                labels.Add((byte)label);
                using var scope = NewDisposeScope();
                var image = zeros([28, 28], ScalarType.Byte);
                image[(label * 9)..(label * 9 + 9), 5..23] = tensor((byte)255);
                pixels.AddRange(image.data<byte>().ToArray());
            }

            byte[] Header(int magic, params int[] dims) => [.. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(magic)), .. dims.SelectMany(d => BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(d)))];
            Gzip(Path.Combine("mnist", name + "-images-idx3-ubyte.gz"), [.. Header(0x803, count, 28, 28), .. pixels]);
            Gzip(Path.Combine("mnist", name + "-labels-idx1-ubyte.gz"), [.. Header(0x801, count), .. labels]);
        }

        Idx("train", 12, 1);
        Idx("t10k", 6, 2);
        return Path.Combine(Root, "mnist");
    }

    /// <summary>CUB-200-2011: 3 classes, 4 training and 2 test images each, with boxes.</summary>
    public string Cub()
    {
        const string dir = "CUB_200_2011";
        var lines = (images: new List<string>(), labels: new List<string>(), split: new List<string>(), boxes: new List<string>());
        var id = 1;
        var names = new[] { "001.Black_footed_Albatross", "002.Laysan_Albatross", "003.Sooty_Albatross" };
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 6; i++, id++)
            {
                var relative = $"{names[c]}/{names[c][4..]}_{id:0000}.jpg";
                Write(Path.Combine(dir, "images", relative), Image(c, 40, id));
                lines.images.Add($"{id} {relative}");
                lines.labels.Add($"{id} {c + 1}");
                lines.split.Add($"{id} {(i < 4 ? 1 : 0)}");
                lines.boxes.Add($"{id} 2.0 3.0 20.0 16.0");
            }
        }

        File.WriteAllLines(Path.Combine(Root, dir, "images.txt"), lines.images);
        File.WriteAllLines(Path.Combine(Root, dir, "image_class_labels.txt"), lines.labels);
        File.WriteAllLines(Path.Combine(Root, dir, "train_test_split.txt"), lines.split);
        File.WriteAllLines(Path.Combine(Root, dir, "bounding_boxes.txt"), lines.boxes);
        File.WriteAllLines(Path.Combine(Root, dir, "classes.txt"), names.Select((n, i) => $"{i + 1} {n}"));
        return Path.Combine(Root, dir);
    }

    /// <summary>Con-Text: one flat folder of &lt;category&gt;_&lt;n&gt;.jpg, 3 categories of 6 images.</summary>
    public string ConText()
    {
        var categories = new[] { "bakery", "cafe", "pharmacy" };
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 6; i++)
            {
                Write(Path.Combine("JPEGImages", $"{categories[c]}_{i}.jpg"), Image(c, 40, 100 + i));
            }
        }

        return Path.Combine(Root, "JPEGImages");
    }

    /// <summary>
    /// ILSVRC CLS-LOC as distributed: train/&lt;wnid&gt;/*.JPEG, a flat val/ with LOC_val_solution.csv and
    /// LOC_synset_mapping.txt at the root of the distribution, three levels above ILSVRC/Data/CLS-LOC/.
    /// </summary>
    public string ImageNet()
    {
        var wnids = new[] { "n01440764", "n01443537", "n01484850" };
        var cls = Path.Combine("imagenet", "ILSVRC", "Data", "CLS-LOC");
        var solution = new List<string> { "ImageId,PredictionString" };
        var val = 1;
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 4; i++)
            {
                Write(Path.Combine(cls, "train", wnids[c], $"{wnids[c]}_{i}.JPEG"), Image(c, 40, 200 + i));
            }

            for (var i = 0; i < 2; i++, val++)
            {
                var name = $"ILSVRC2012_val_{val:00000000}";
                Write(Path.Combine(cls, "val", name + ".JPEG"), Image(c, 40, 300 + val));
                solution.Add($"{name},{wnids[c]} 4 6 30 28 ");
            }
        }

        File.WriteAllLines(Path.Combine(Root, "imagenet", "LOC_val_solution.csv"), solution);
        File.WriteAllLines(Path.Combine(Root, "imagenet", "LOC_synset_mapping.txt"), ["n01440764 tench, Tinca tinca", "n01443537 goldfish, Carassius auratus", "n01484850 great white shark"]);
        return Path.Combine(Root, cls) + Path.DirectorySeparatorChar;
    }

    /// <summary>A generic ImageFolder: root/class/*.png, 3 classes of 6.</summary>
    public string ImageFolder()
    {
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 6; i++)
            {
                Write(Path.Combine("folder", $"class{c}", $"{i}.jpg"), Image(c, 40, 400 + i));
            }
        }

        return Path.Combine(Root, "folder");
    }

    private void Gzip(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(bytes);
    }
}
