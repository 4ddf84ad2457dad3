using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Scouter.Core.Interop;
using Scouter.Core.Interop.Pickle;

namespace Scouter.Core.Tests.Interop;

/// <summary>
/// Checkpoints built to attack the reader: pickles that ask to run code, zips that point outside themselves, nesting
/// meant to overflow the stack, and lengths and sizes meant to exhaust memory. Every one must be read into inert
/// values or refused with a <see cref="CheckpointFormatException"/> naming the problem; none may run anything, write
/// anything, or bring the process down.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("scouter-hostile-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>The file a payload would create if the reader ran it.</summary>
    private string Marker => Path.Combine(directory, "code-ran");

    private string Touch => $"touch {Marker}";

    /// <summary>Every hostile case: what it builds and the message it must be refused with (null: read as inert values).</summary>
    private static readonly Dictionary<string, (Func<HostileFileTests, string> Build, string? Refusal)> Cases = new()
    {
        // Code execution: REDUCE, NEWOBJ and BUILD on named globals must leave records, never calls.
        ["os.system via REDUCE"] = (t => t.Zip(Pickle(Call("os", "system", Str(t.Touch)), Stop)), "*expected a checkpoint dict*os.system object*"),
        ["posix.system as the model"] = (t => t.Zip(Pickle(EmptyDict, Str("model"), Call("posix", "system", Str(t.Touch)), SetItem, Stop)), "*'model' should be a state dict; found a posix.system object*"),
        ["builtins.eval inside the state dict"] = (t => t.Zip(Pickle(EmptyDict, Str("w"), Call("builtins", "eval", Str($"__import__('os').system('{t.Touch}')")), SetItem, Stop)), "*'w' holds a builtins.eval object*"),
        ["builtins.exec inside the state dict"] = (t => t.Zip(Pickle(EmptyDict, Str("w"), Call("builtins", "exec", Str($"import os; os.system('{t.Touch}')")), SetItem, Stop)), "*'w' holds a builtins.exec object*"),
        ["subprocess.Popen with an argument list"] = (t => t.Zip(Pickle(Call("subprocess", "Popen", [EmptyList, Mark, .. Str("touch"), .. Str(t.Marker), Appends]), Stop)), "*subprocess.Popen object*"),
        ["STACK_GLOBAL (protocol 4) os.system"] = (t => t.Zip([0x80, 4, .. ShortStr("os"), .. ShortStr("system"), 0x93, .. Str(t.Touch), 0x85, Reduce, Stop]), "*os.system object*"),
        ["NEWOBJ of subprocess.Popen"] = (t => t.Zip(Pickle(Global("subprocess", "Popen"), Str(t.Touch), 0x85, 0x81, Stop)), "*subprocess.Popen object*"),
        ["BUILD with a __setstate__ payload"] = (t => t.Zip(Pickle(Call("os", "system", Str(t.Touch)), EmptyDict, Str("__setstate__"), Global("os", "system"), SetItem, Build, Stop)), "*os.system object*"),
        ["INST opcode"] = (t => t.Zip(Pickle(Mark, Str(t.Touch), Ascii("ios\nsystem\n"), Stop)), "*pickle opcode 0x69*not supported*"),
        ["OBJ opcode"] = (t => t.Zip(Pickle(Mark, Global("os", "system"), Str(t.Touch), (byte)'o', Stop)), "*pickle opcode 0x6f*not supported*"),
        ["EXT1 extension registry"] = (t => t.Zip(Pickle(0x82, 1, Stop)), "*pickle opcode 0x82*not supported*"),
        ["a tensor rebuilt from a call"] = (t => t.Zip(Pickle(EmptyDict, Str("w"), Global("torch._utils", "_rebuild_tensor_v2"), Mark, Call("os", "system", Str(t.Touch)), Int(0), Tuple(Int(2)), Tuple(Int(1)), False, Call("collections", "OrderedDict", Tuple0), TupleEnd, Reduce, SetItem, Stop)), "*storage must come from a persistent storage id; found os.system object*"),

        // Paths: a zip is only ever read from, whatever its entries are named.
        ["zip entry climbing out of the folder"] = (t => t.Zip(FloatStateDict(2), ("../../hostile-evil.txt", "owned"u8.ToArray())), null),
        ["zip entry with an absolute path"] = (t => t.Zip(FloatStateDict(2), (Path.Combine(t.directory, "absolute-evil.txt"), "owned"u8.ToArray())), null),
        ["storage key climbing out of the archive"] = (t => t.Zip(FloatStateDict(2, key: "../../../../etc/passwd")), "*archive has no entry 'archive/data/../../../../etc/passwd'*"),
        ["two data.pkl entries"] = (t => t.Zip(FloatStateDict(2), ("other/data.pkl", FloatStateDict(2))), "*exactly one '<archive>/data.pkl'*"),

        // Nesting meant to overflow the stack of a recursive reader, hasher or comparer.
        ["100,000 nested lists"] = (t => t.Zip(Pickle(Repeat(EmptyList, 100_000), Repeat(Append, 99_999), Stop)), "*expected a checkpoint dict*list of 1*"),
        ["a million nested tuples as a dict key"] = (t => t.Zip(Pickle(EmptyDict, Int(1), Repeat(0x85, 1_000_000), Int(2), SetItem, Int(1), Repeat(0x85, 1_000_000), Int(3), SetItem, Stop)), "*its entry tuple of 1 holds a int 3*"),
        ["100,000 nested dicts as the model"] = (t => t.Zip(Pickle(EmptyDict, Str("model"), Repeat([EmptyDict, .. Str("x")], 100_000), EmptyDict, Repeat(SetItem, 100_000), SetItem, Stop)), "*must map str names to tensors; its entry str 'x' holds a dict of 1 entries*"),
        ["a million MARKs never closed"] = (t => t.Zip(Pickle(Repeat(Mark, 1_000_000), Stop)), "*reads from an empty stack*"),
        ["a list that contains itself"] = (t => t.Zip(Pickle(EmptyList, 0x94, (byte)'h', 0, Append, Stop)), "*expected a checkpoint dict*list of 1*"),

        // Lengths and sizes meant to exhaust memory before anything is checked.
        ["BINUNICODE claiming 4 GB"] = (t => t.Zip(Pickle((byte)'X', 0xFF, 0xFF, 0xFF, 0xFF, Ascii("short"), Stop)), "*value of 4294967295 bytes is invalid or too large*"),
        ["BINBYTES8 claiming 2^63 bytes"] = (t => t.Zip(Pickle(0x8e, 0, 0, 0, 0, 0, 0, 0, 0x80, Stop)), "*value of 9223372036854775808 bytes is too large*"),
        ["LONG4 claiming 2 GB of digits"] = (t => t.Zip(Pickle(0x8b, 0xFF, 0xFF, 0xFF, 0x7F, Stop)), "*truncated: 2147483647 bytes needed*"),
        ["a storage claiming 2^62 elements"] = (t => t.Zip(FloatStateDict(1L << 62, size: 2)), "*storage '0' should hold 4611686018427387904 Float32 elements*its entry has 8 bytes*"),
        ["a view repeating one element 2^40 times"] = (t => t.Zip(FloatStateDict(2, size: 1L << 40, stride: 0)), "*would hold 4398046511104 bytes*up to*"),
        ["a view whose extent overflows"] = (t => t.Zip(FloatStateDict(2, size: 1L << 62, stride: 1L << 62)), "*overflows 64 bits*"),
        ["a zip entry claiming 4 GB"] = (t => t.ClaimHugeEntry(t.Zip(FloatStateDict(2))), "*entry 'archive/data/0' holds 4294967295 bytes*"),
        ["a memo read of an entry never stored"] = (t => t.Zip(Pickle((byte)'j', 0xFF, 0xFF, 0xFF, 0xFF, Stop)), "*memo entry 4294967295, which was never stored*"),
        ["an integer of 200,000 decimal digits"] = (t => t.Zip(Pickle((byte)'L', Ascii(new string('9', 200_000) + "L\n"), Stop)), "*found a int of *bits*"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void TheCatalogueHoldsEveryCaseOfTheProbeAndMore() => Cases.Should().HaveCountGreaterThanOrEqualTo(26);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void HostileCheckpoint_IsReadInertlyOrRefused_RunningAndWritingNothing(string name)
    {
        var (build, refusal) = Cases[name];
        var path = build(this);
        var before = Snapshot();
        var clock = Stopwatch.StartNew();

        Exception? error = null;
        try
        {
            OfficialCheckpoint.Read(path).Dispose();
        }
        catch (Exception e)
        {
            error = e;
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "no input may make the reader spin");
        if (refusal is null)
        {
            error.Should().BeNull(name);
        }
        else
        {
            error.Should().BeOfType<CheckpointFormatException>(name).Which.Message.Should().Match(refusal).And.Contain(path);
        }

        File.Exists(Marker).Should().BeFalse("no payload may run");
        Snapshot().Should().Equal(before, "reading writes nothing");
        File.Exists(Path.Combine(directory, "..", "..", "hostile-evil.txt")).Should().BeFalse();
    }

    [Fact]
    public void CodePayloads_ComeBackAsRecordsOfTheCall()
    {
        var path = Zip(Pickle(Call("os", "system", Str(Touch)), Stop));

        using var file = PyTorchFormat.Read(path);

        var payload = file.Root.Should().BeOfType<PickleObject>().Subject;
        payload.Type.Should().Be(new PickleGlobal("os", "system"));
        payload.Args.Should().Equal(Touch);
        File.Exists(Marker).Should().BeFalse();
    }

    private string[] Snapshot() =>
        [.. Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(directory)!, "scouter-hostile-*").Order(StringComparer.Ordinal),
         .. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    /// <summary>A torch.save zip holding <paramref name="pickle"/> as its data.pkl, a 2-float storage '0' and any extra entries.</summary>
    private string Zip(byte[] pickle, params (string Name, byte[] Data)[] extra)
    {
        var path = Path.Combine(directory, $"hostile-{Guid.NewGuid():N}.pth");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string name, byte[] data)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(data);
            }

            Add("archive/data.pkl", pickle);
            Add("archive/data/0", new byte[8]);
            Add("archive/version", "3\n"u8.ToArray());
            foreach (var (name, data) in extra)
            {
                Add(name, data);
            }
        }

        return path;
    }

    /// <summary>Rewrites the sizes of entry "archive/data/0" in the zip's local and central headers to 0xFFFFFFFF.</summary>
    private string ClaimHugeEntry(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var name = "archive/data/0"u8.ToArray();
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), uint.MaxValue);
            }

            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2 && bytes.AsSpan(i + 46, Math.Min(name.Length, bytes.Length - i - 46)).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), uint.MaxValue);
            }
        }

        File.WriteAllBytes(path, bytes);
        return path;
    }

    // A state dict {"w": tensor} over storage key `key` of `numel` float32 elements, as torch.save pickles it.
    private static byte[] FloatStateDict(long numel, string key = "0", long? size = null, long stride = 1) => Pickle(
        EmptyDict, Str("w"),
        Global("torch._utils", "_rebuild_tensor_v2"), Mark,
        Mark, Str("storage"), Global("torch", "FloatStorage"), Str(key), Str("cpu"), Int(numel), TupleEnd, (byte)'Q',
        Int(0), Tuple(Int(size ?? numel)), Tuple(Int(stride)), False, Call("collections", "OrderedDict", Tuple0),
        TupleEnd, Reduce, SetItem, Stop);

    private const byte Mark = (byte)'(';
    private const byte TupleEnd = (byte)'t';
    private const byte Reduce = (byte)'R';
    private const byte Build = (byte)'b';
    private const byte Stop = (byte)'.';
    private const byte EmptyDict = (byte)'}';
    private const byte EmptyList = (byte)']';
    private const byte SetItem = (byte)'s';
    private const byte Append = (byte)'a';
    private const byte Appends = (byte)'e';
    private const byte False = 0x89;
    private const byte Tuple0 = (byte)')';

    /// <summary>A protocol-2 pickle of the given parts (bytes, byte arrays).</summary>
    private static byte[] Pickle(params object[] parts) => [0x80, 2, .. Concat(parts)];

    private static byte[] Concat(object[] parts) => parts.SelectMany(p => p switch
    {
        byte b => new[] { b },
        int i => new[] { (byte)i },
        byte[] bytes => bytes,
        _ => throw new ArgumentException($"not a pickle part: {p}"),
    }).ToArray();

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Global(string module, string name) => Ascii($"c{module}\n{name}\n");

    private static byte[] Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        return [(byte)'X', .. BitConverter.GetBytes(utf8.Length), .. utf8];
    }

    private static byte[] ShortStr(string text) => [0x8c, (byte)text.Length, .. Ascii(text)];

    // LONG1 with eight little-endian bytes: any long.
    private static byte[] Int(long value) => [0x8a, 8, .. BitConverter.GetBytes(value)];

    private static byte[] Tuple(params byte[][] items) => [Mark, .. items.SelectMany(i => i), TupleEnd];

    private static byte[] Call(string module, string name, byte[] argument) => [.. Global(module, name), .. argument, 0x85, Reduce];

    private static byte[] Call(string module, string name, byte argument) => [.. Global(module, name), argument, Reduce];

    private static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static byte[] Repeat(byte[] value, int count) => Enumerable.Repeat(value, count).SelectMany(v => v).ToArray();
}
