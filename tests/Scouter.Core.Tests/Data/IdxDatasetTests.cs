using System.Buffers.Binary;
using System.IO.Compression;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Data;

public sealed class IdxDatasetTests
{
    // Image k of a set has every pixel equal to (k·7 + row·3 + col) mod 256 and label labels[k].
    private static byte[] Images(int count, int rows, int cols, int magicRank = 3)
    {
        var data = new byte[4 + (4 * 3) + (count * rows * cols)];
        data[2] = 0x08;
        data[3] = (byte)magicRank;
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), cols);
        for (var k = 0; k < count; k++)
        {
            for (var p = 0; p < rows * cols; p++)
            {
                data[16 + (k * rows * cols) + p] = (byte)(((k * 7) + (p / cols * 3) + (p % cols)) % 256);
            }
        }

        return data;
    }

    private static byte[] Labels(params byte[] labels)
    {
        var data = new byte[8 + labels.Length];
        data[2] = 0x08;
        data[3] = 1;
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), labels.Length);
        labels.CopyTo(data, 8);
        return data;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static void WriteMnist(TempFolder folder, bool gzip, byte[]? trainLabels = null, string? sub = null)
    {
        var dir = sub is null ? folder.Root : folder.Folder(sub);
        void Write(string name, byte[] data) => File.WriteAllBytes(Path.Combine(dir, gzip ? name + ".gz" : name), gzip ? Gzip(data) : data);
        Write("train-images-idx3-ubyte", Images(6, 4, 5));
        Write("train-labels-idx1-ubyte", Labels(trainLabels ?? [0, 1, 2, 2, 1, 0]));
        Write("t10k-images-idx3-ubyte", Images(3, 4, 5));
        Write("t10k-labels-idx1-ubyte", Labels(2, 0, 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Load_ReadsGzipOrRawFiles_CountsLabelsAndPixels(bool gzip)
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip);

        var pair = IdxDataset.Load(folder.Root);

        pair.Train.Count.Should().Be(6);
        pair.Val.Count.Should().Be(3);
        pair.ClassNames.Should().Equal("0", "1", "2");
        pair.Train.Channels.Should().Be(1);
        pair.Train.Normalization.Should().BeSameAs(Normalization.Mnist);
        Enumerable.Range(0, 6).Select(pair.Train.GetLabel).Should().Equal(0, 1, 2, 2, 1, 0);
        Enumerable.Range(0, 3).Select(pair.Val.GetLabel).Should().Equal(2, 0, 1);

        using var image = pair.Train.ReadImage(2);
        image.shape.Should().Equal(1, 4, 5);
        image.dtype.Should().Be(ScalarType.Byte);
        image[0, 0, 0].item<byte>().Should().Be(14);  // k = 2: 2·7
        image[0, 3, 4].item<byte>().Should().Be(27);  // 14 + 3·3 + 4
    }

    [Fact]
    public void Load_FindsFilesInARawSubfolder()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true, sub: "raw");
        IdxDataset.Load(folder.Root).Train.Count.Should().Be(6);
    }

    [Fact]
    public void Load_WithFewerClasses_KeepsOnlyThoseLabels()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true);
        var pair = IdxDataset.Load(folder.Root, numClasses: 2);
        pair.Train.Count.Should().Be(4);
        Enumerable.Range(0, 4).Select(pair.Train.GetLabel).Should().Equal(0, 1, 1, 0);
        using var image = pair.Train.ReadImage(2); // original image 4
        image[0, 0, 0].item<byte>().Should().Be(28);
        pair.Train.Describe(2).Should().EndWith("#4");
    }

    [Fact]
    public void Load_TooManyClasses_SaysHowManyTheLabelsHave()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true);
        var act = () => IdxDataset.Load(folder.Root, numClasses: 10);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*num_classes = 10*only go up to 2 (3 classes)*");
    }

    [Fact]
    public void Load_MissingFile_NamesItAndTheLayout()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true);
        File.Delete(folder.PathOf("t10k-labels-idx1-ubyte.gz"));
        var act = () => IdxDataset.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*no t10k labels file*t10k-labels-idx1-ubyte*Expected layout*");
    }

    [Fact]
    public void Load_MissingFolder_NamesIt()
    {
        var act = () => IdxDataset.Load("/no/such/mnist");
        act.Should().Throw<DatasetLayoutException>().WithMessage("*'/no/such/mnist' does not exist*Expected layout*");
    }

    [Fact]
    public void Load_WrongMagic_SaysWhatWasExpected()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: false);
        File.WriteAllBytes(folder.PathOf("train-images-idx3-ubyte"), Labels(1, 2)); // a labels file where images belong
        var act = () => IdxDataset.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*train-images-idx3-ubyte*magic number 0x00000801*expected 0x00000803*");
    }

    [Fact]
    public void Load_TruncatedRawFile_SaysSo()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: false);
        var path = folder.PathOf("train-images-idx3-ubyte");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..50]);
        var act = () => IdxDataset.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*[6, 4, 5] = 120 bytes of data but holds 34*truncated*");
    }

    [Fact]
    public void Load_TruncatedGzipFile_SaysSo()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true);
        var path = folder.PathOf("train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var act = () => IdxDataset.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*train-images-idx3-ubyte.gz*truncated*");
    }

    [Fact]
    public void Load_CountMismatch_NamesBothFiles()
    {
        using var folder = new TempFolder();
        WriteMnist(folder, gzip: true, trainLabels: [0, 1, 2]);
        var act = () => IdxDataset.Load(folder.Root);
        act.Should().Throw<DatasetLayoutException>().WithMessage("*holds 6 images but*holds 3 labels*");
    }
}
