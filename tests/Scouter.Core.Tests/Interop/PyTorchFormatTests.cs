using System.IO.Compression;
using Scouter.Core.Interop;
using Scouter.Core.Interop.Pickle;
using Scouter.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

/// <summary>The torch.save zip format: reading PyTorch's files, writing files PyTorch reads, refusing bad ones.</summary>
public sealed class PyTorchFormatTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("scouter-interop-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Temp(string name) => Path.Combine(directory, name);

    /// <summary>A copy of the zip at <paramref name="source"/> with every entry's bytes passed through <paramref name="change"/>.</summary>
    private static string Rebuilt(string source, string target, Func<string, byte[], byte[]> change)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var read = entry.Open();
            var data = new MemoryStream();
            read.CopyTo(data);
            using var write = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            write.Write(change(entry.FullName, data.ToArray()));
        }

        return target;
    }

    internal static void AssertMatchesPythonValues(StateDict stateDict)
    {
        var expected = InteropFixtures.TinyStateDict();
        stateDict.Keys.Should().Equal(expected.Select(e => e.Name), "file order is kept");
        foreach (var (name, dtype, shape, values) in expected)
        {
            var actual = stateDict[name];
            actual.dtype.Should().Be(dtype, name);
            actual.shape.Should().Equal(shape, name);
            actual.is_contiguous().Should().BeTrue(name);
            using var flat = actual.to(ScalarType.Float64).flatten();
            flat.data<double>().ToArray().Should().Equal(values, $"{name} holds PyTorch's values in row-major order");
        }
    }

    [Theory]
    [InlineData("tiny_state_dict.pth")]
    [InlineData("tiny_state_dict_protocol5.pth")]
    public void ReadStateDict_ReproducesEveryTensorPyTorchSaved(string file)
    {
        // Includes a transposed tensor, two views of one storage (one at offset 6), a stride-2 view and ten dtypes.
        using var stateDict = PyTorchFormat.ReadStateDict(InteropFixtures.Path(file));
        AssertMatchesPythonValues(stateDict);
    }

    [Fact]
    public void ReadStateDict_TakesTheModelOfACheckpoint()
    {
        using var stateDict = PyTorchFormat.ReadStateDict(InteropFixtures.Path("scouter_tiny_checkpoint.pth"));
        stateDict.Keys.Should().BeEquivalentTo(InteropFixtures.ExpectedSlotKeys());
    }

    [Fact]
    public void WriteStateDict_RoundTripsEveryDtypeAndShape()
    {
        using var original = PyTorchFormat.ReadStateDict(InteropFixtures.Path("tiny_state_dict.pth"));
        var path = Temp("round.pth");

        PyTorchFormat.WriteStateDict(path, original);
        using var back = PyTorchFormat.ReadStateDict(path);

        AssertMatchesPythonValues(back);
    }

    [Fact]
    public void Write_RoundTripsNestedPythonValues()
    {
        using var weight = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        var root = new PickleDict
        {
            ["weight"] = weight,
            ["same_weight"] = weight,
            ["epoch"] = 12L,
            ["huge"] = new System.Numerics.BigInteger(long.MaxValue) * 4,
            ["negative"] = -70000L,
            ["lr"] = 1e-4,
            ["name"] = "résumé",
            ["flag"] = true,
            ["nothing"] = null,
            ["raw"] = new byte[] { 0, 200, 255 },
            ["pair"] = new object?[] { 1L, "two" },
            ["list"] = new List<object?> { 1L, 2.5, new PickleDict { [3L] = "three" } },
            ["args"] = new PickleObject(new PickleGlobal("argparse", "Namespace"), [], new PickleDict { ["model"] = "resnet18" }, IsNewObject: true),
        };
        var path = Temp("nested.pth");

        PyTorchFormat.Write(path, root);
        using var file = PyTorchFormat.Read(path);

        var back = file.Root.Should().BeOfType<PickleDict>().Subject;
        back.Keys.Should().Equal(root.Keys);
        TensorAssert.Close((Tensor)back["weight"]!, weight, 0, 0);
        TensorAssert.Close((Tensor)back["same_weight"]!, weight, 0, 0);
        using (var zip = ZipFile.OpenRead(path))
        {
            zip.Entries.Count(e => e.FullName.Contains("/data/", StringComparison.Ordinal)).Should().Be(1, "one tensor saved twice is stored once");
        }

        back["epoch"].Should().Be(12L);
        back["huge"].Should().Be(new System.Numerics.BigInteger(long.MaxValue) * 4);
        back["negative"].Should().Be(-70000L);
        back["lr"].Should().Be(1e-4);
        back["name"].Should().Be("résumé");
        back["flag"].Should().Be(true);
        back["nothing"].Should().BeNull();
        back["raw"].Should().BeEquivalentTo(new byte[] { 0, 200, 255 });
        back["pair"].Should().BeEquivalentTo(new object?[] { 1L, "two" });
        var list = back["list"].Should().BeOfType<List<object?>>().Subject;
        list[1].Should().Be(2.5);
        ((PickleDict)list[2]!)[3].Should().Be("three", "an int key matches whatever integer type looks it up");
        var args = back["args"].Should().BeOfType<PickleObject>().Subject;
        args.Type.FullName.Should().Be("argparse.Namespace");
        args.Attributes["model"].Should().Be("resnet18");
    }

    [Fact]
    public void Write_LaysOutTheArchiveAsTorchSaveDoes()
    {
        using var a = ones(3);
        using var b = zeros(2, 2, dtype: ScalarType.Int64);
        var path = Temp("layout.pth");

        PyTorchFormat.WriteStateDict(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });

        using var zip = ZipFile.OpenRead(path);
        zip.Entries.Select(e => e.FullName).Should().Equal("archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version");
        zip.Entries.Should().OnlyContain(e => e.CompressedLength == e.Length, "entries are stored uncompressed");
        using var version = new StreamReader(zip.GetEntry("archive/version")!.Open());
        version.ReadToEnd().Should().Be("3\n");
        using var raw = File.OpenRead(path);
        foreach (var name in new[] { "archive/data/0", "archive/data/1" })
        {
            (DataOffset(raw, zip.GetEntry(name)!) % 64).Should().Be(0, $"{name}'s bytes start on a 64-byte boundary, as PyTorch's writer places them");
        }

        Directory.GetFiles(directory).Should().ContainSingle("the temporary file was renamed, not left behind");
    }

    [Fact]
    public void Write_ProducesTheSameBytesForTheSameInput()
    {
        using var a = arange(6f).reshape(2, 3);
        PyTorchFormat.WriteStateDict(Temp("1.pth"), new Dictionary<string, Tensor> { ["a"] = a });
        PyTorchFormat.WriteStateDict(Temp("2.pth"), new Dictionary<string, Tensor> { ["a"] = a });
        File.ReadAllBytes(Temp("1.pth")).Should().Equal(File.ReadAllBytes(Temp("2.pth")));
    }

    [Fact]
    public void Read_KeepsUnknownGlobalsInert()
    {
        // The pickle reduces to os.system("echo this-must-never-run"); it must come back as a record, not a call.
        using var file = PyTorchFormat.Read(InteropFixtures.Path("unknown_global.pth"));

        var root = (PickleDict)file.Root!;
        var payload = root["payload"].Should().BeOfType<PickleObject>().Subject;
        payload.Type.Should().Be(new PickleGlobal("posix", "system"));
        payload.Args.Should().Equal("echo this-must-never-run");
        root["dtype"].Should().Be(new PickleGlobal("torch", "float16"));
        root["device"].Should().BeOfType<PickleObject>().Which.Args.Should().Equal("cpu");
        TensorAssert.Close((Tensor)root["weight"]!, tensor(new[] { 1.5f, -2.0f }), 0, 0);
    }

    [Fact]
    public void ReadStateDict_NamesWhatItFoundWhenTheFileHoldsNoStateDict()
    {
        var act = () => PyTorchFormat.ReadStateDict(InteropFixtures.Path("unknown_global.pth"));
        act.Should().Throw<CheckpointFormatException>().WithMessage("*expected a state dict*'weight'*'payload'*");
    }

    [Fact]
    public void Read_RefusesTheLegacyFormatWithTheFix()
    {
        var act = () => PyTorchFormat.Read(InteropFixtures.Path("legacy_format.pth"));
        act.Should().Throw<CheckpointFormatException>()
            .WithMessage("*legacy (pre-1.6) torch.save format is not supported; re-save with torch.save(..., _use_new_zipfile_serialization=True)*");
    }

    [Fact]
    public void Read_RefusesAFileThatIsNotAZip()
    {
        var path = Temp("text.pth");
        File.WriteAllText(path, "hello");
        var act = () => PyTorchFormat.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*not a torch.save file*expected a zip archive*found 68 65 6c 6c*");
    }

    [Fact]
    public void Read_RefusesATruncatedZip()
    {
        var bytes = File.ReadAllBytes(InteropFixtures.Path("tiny_state_dict.pth"));
        var path = Temp("truncated.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var act = () => PyTorchFormat.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*corrupt or truncated*");
    }

    [Fact]
    public void Read_RefusesACorruptStorage()
    {
        // Flip one byte inside a storage record: the zip's CRC no longer matches.
        var path = Temp("corrupt.pth");
        File.Copy(InteropFixtures.Path("tiny_state_dict.pth"), path);
        long offset;
        using (var zip = ZipFile.OpenRead(path))
        using (var raw = File.OpenRead(path))
        {
            offset = DataOffset(raw, zip.Entries.First(e => e.FullName.EndsWith("/data/0", StringComparison.Ordinal)));
        }

        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var act = () => PyTorchFormat.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*corrupt*");
    }

    [Fact]
    public void Read_RefusesAStorageShorterThanItsTensor()
    {
        // A well-formed zip whose storage record holds 4 bytes for a tensor of 3 float32 values.
        var path = Temp("short.pth");
        using (var a = ones(3))
        {
            PyTorchFormat.WriteStateDict(path, new Dictionary<string, Tensor> { ["a"] = a });
        }

        var rebuilt = Rebuilt(path, Temp("short-rebuilt.pth"), (name, data) => name.EndsWith("data/0", StringComparison.Ordinal) ? data[..4] : data);

        var act = () => PyTorchFormat.Read(rebuilt);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*storage '0' should hold 3 Float32 elements (12 bytes); its entry has 4 bytes*");
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 8)]
    [InlineData(true, 0)]
    [InlineData(true, 8)]
    public void Read_StoragesOfEitherByteOrder_AndEntriesLongerThanTheirStorage(bool bigEndian, int extraBytes)
    {
        // Storages are read straight into tensor memory when the entry is exactly the storage, through a buffer otherwise.
        float[] values = [1.5f, -2f, 3.25e-3f];
        var path = Temp("source.pth");
        using (var a = tensor(values))
        {
            PyTorchFormat.WriteStateDict(path, new Dictionary<string, Tensor> { ["a"] = a });
        }

        var rebuilt = Rebuilt(path, Temp("rebuilt.pth"), (name, data) => name switch
        {
            _ when name.EndsWith("/byteorder", StringComparison.Ordinal) && bigEndian => "big"u8.ToArray(),
            _ when name.EndsWith("/data/0", StringComparison.Ordinal) =>
                [.. values.SelectMany(v => bigEndian ? BitConverter.GetBytes(v).Reverse() : BitConverter.GetBytes(v)), .. new byte[extraBytes]],
            _ => data,
        });

        using var stateDict = PyTorchFormat.ReadStateDict(rebuilt);

        stateDict["a"].data<float>().ToArray().Should().Equal(values);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 2, 0x82, 1, (byte)'.' }, "*pickle opcode 0x82 at byte 2 is not supported*")] // EXT1: extension registry
    [InlineData(new byte[] { 0x80, 2, (byte)'}', (byte)'(' }, "*ends after 4 bytes without its STOP opcode*")]
    [InlineData(new byte[] { 0x80, 2, (byte)'X', 200, 0, 0, 0, (byte)'a' }, "*truncated: 200 bytes needed*")]
    [InlineData(new byte[] { 0x80, 2, (byte)'h', 7, (byte)'.' }, "*memo entry 7, which was never stored*")]
    public void Read_NamesWhatIsWrongWithAPickle(byte[] pickle, string message)
    {
        var path = Temp("bad-pickle.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("bad/data.pkl").Open();
            entry.Write(pickle);
        }

        var act = () => PyTorchFormat.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage(message);
    }

    [Fact]
    public void ReadStateDict_LeaksNoTensorsInALoop()
    {
        var path = InteropFixtures.Path("scouter_tiny_checkpoint.pth");
        using (PyTorchFormat.ReadStateDict(path))
        {
        }

        var before = LiveTensors.Count();
        for (var i = 0; i < 20; i++)
        {
            using var stateDict = PyTorchFormat.ReadStateDict(path);
            using var file = PyTorchFormat.Read(path);
        }

        LiveTensors.Count().Should().Be(before);
    }

    [Fact]
    public void ReadStateDict_TensorsOutliveTheCallersDisposeScope()
    {
        StateDict stateDict;
        using (NewDisposeScope())
        {
            stateDict = PyTorchFormat.ReadStateDict(InteropFixtures.Path("tiny_state_dict.pth"));
        }

        using (stateDict)
        {
            stateDict["conv.weight"].IsInvalid.Should().BeFalse("the state dict, not the scope, owns its tensors");
            stateDict["conv.weight"].sum().item<float>().Should().NotBe(0);
        }
    }

    /// <summary>Where an entry's data starts: after its 30-byte local header, name and extra field.</summary>
    private static long DataOffset(Stream raw, ZipArchiveEntry entry)
    {
        // The central directory's local-header offset is not public; find the local header by its name instead.
        var bytes = new byte[raw.Length];
        raw.Position = 0;
        raw.ReadExactly(bytes);
        var name = System.Text.Encoding.UTF8.GetBytes(entry.FullName);
        for (var i = 0; i + 30 + name.Length <= bytes.Length; i++)
        {
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4b && bytes[i + 2] == 3 && bytes[i + 3] == 4
                && BitConverter.ToUInt16(bytes, i + 26) == name.Length && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                return i + 30 + name.Length + BitConverter.ToUInt16(bytes, i + 28);
            }
        }

        throw new InvalidOperationException($"no local header for {entry.FullName}");
    }
}
