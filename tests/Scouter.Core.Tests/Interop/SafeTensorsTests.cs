using System.Buffers.Binary;
using System.Text;
using Scouter.Core.Interop;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Interop;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("scouter-safetensors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Temp(string name) => Path.Combine(directory, name);

    [Fact]
    public void Read_ReproducesEveryTensorOfTheFixture()
    {
        using var stateDict = SafeTensors.Read(InteropFixtures.Path("tiny_state_dict.safetensors"));
        PyTorchFormatTests.AssertMatchesPythonValues(stateDict);
    }

    [Fact]
    public void ReadMetadata_ReturnsTheMetadataMap()
    {
        SafeTensors.ReadMetadata(InteropFixtures.Path("tiny_state_dict.safetensors")).Should().BeEquivalentTo(
            new Dictionary<string, string> { ["format"] = "pt", ["source"] = "make_interop_fixtures.py" });
    }

    [Fact]
    public void ReadStateDict_RecognisesSafeTensorsByContent()
    {
        var path = Temp("weights.bin");
        File.Copy(InteropFixtures.Path("tiny_state_dict.safetensors"), path);
        using var stateDict = PyTorchFormat.ReadStateDict(path);
        PyTorchFormatTests.AssertMatchesPythonValues(stateDict);
    }

    [Fact]
    public void Write_RoundTripsEveryDtypeShapeAndTheMetadata()
    {
        using var original = SafeTensors.Read(InteropFixtures.Path("tiny_state_dict.safetensors"));
        var path = Temp("round.safetensors");

        PyTorchFormat.WriteStateDict(path, original);
        SafeTensors.Write(Temp("meta.safetensors"), original, new Dictionary<string, string> { ["format"] = "pt" });
        using var back = SafeTensors.Read(path);

        PyTorchFormatTests.AssertMatchesPythonValues(back);
        SafeTensors.ReadMetadata(Temp("meta.safetensors")).Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
    }

    [Fact]
    public void Write_PadsTheHeaderAndLaysDataContiguously()
    {
        using var a = ones(3, dtype: ScalarType.Float16);
        using var b = zeros(2, dtype: ScalarType.Int64);
        var path = Temp("layout.safetensors");

        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (headerLength % 8).Should().Be(0);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd(' ');
        header.Should().Be("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[6,22]}}");
        bytes.Length.Should().Be((int)(8 + headerLength + 22), "6 bytes of float16 then 16 bytes of int64, no gaps");
        bytes.AsSpan((int)(8 + headerLength), 2).ToArray().Should().Equal(0x00, 0x3c); // float16 1.0, little-endian
    }

    [Fact]
    public void Read_RefusesATruncatedFile()
    {
        var bytes = File.ReadAllBytes(InteropFixtures.Path("tiny_state_dict.safetensors"));
        var path = Temp("truncated.safetensors");
        File.WriteAllBytes(path, bytes[..^10]);
        var act = () => SafeTensors.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*needs * bytes; its data_offsets * pass the end of the data*truncated file?*");
    }

    [Fact]
    public void Read_RefusesOffsetsThatDisagreeWithTheShape()
    {
        var path = Temp("bad.safetensors");
        WriteRaw(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[12]);
        var act = () => SafeTensors.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*'w' (F32 [2, 2]) needs 16 bytes; its data_offsets [0, 12) do not match*");
    }

    [Fact]
    public void Read_RefusesAnUnknownDtypeAndBadJson()
    {
        var path = Temp("dtype.safetensors");
        WriteRaw(path, "{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        FluentActions.Invoking(() => SafeTensors.Read(path)).Should().Throw<CheckpointFormatException>().WithMessage("*'w' has dtype C64; supported: F32*");

        WriteRaw(path, "{\"w\":", []);
        FluentActions.Invoking(() => SafeTensors.Read(path)).Should().Throw<CheckpointFormatException>().WithMessage("*not valid JSON*");
    }

    [Fact]
    public void AHeaderLengthPastTheEndOfTheFile_IsCalledATruncatedSafeTensorsFile_ByEveryReader()
    {
        var path = Temp("cut-header.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length + 1000);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);

        foreach (var read in new Action[] { () => SafeTensors.Read(path).Dispose(), () => PyTorchFormat.ReadStateDict(path).Dispose(), () => OfficialCheckpoint.Read(path).Dispose() })
        {
            read.Should().Throw<CheckpointFormatException>().WithMessage($"*truncated safetensors file: the header length says {header.Length + 1000} bytes, but only {header.Length} bytes follow*")
                .Which.Message.Should().NotContain("torch.save");
        }
    }

    [Fact]
    public void AHeaderLengthOverTheFormatsLimit_IsRefusedBeforeReadingIt()
    {
        var path = Temp("huge-header.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(path, bytes);
        var act = () => SafeTensors.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*header length says 18446744073709551615 bytes, more than the 100000000 bytes*");
    }

    [Fact]
    public void AShapeWhoseSizeOverflows_IsCalledACorruptHeader_NotAnArithmeticOverflow()
    {
        var path = Temp("overflow.safetensors");
        WriteRaw(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,8]}}", new byte[8]);
        var act = () => SafeTensors.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage("*'w' declares shape [1099511627776, 1099511627776] of F32, whose size in bytes exceeds 2^63*")
            .Which.Message.Should().NotContain("Arithmetic");
    }

    [Fact]
    public void ATensorOverTwoGigabytes_IsRefusedWithTheLimit()
    {
        var path = Temp("big.safetensors");
        WriteRaw(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483648],\"data_offsets\":[0,8]}}", new byte[8]);
        var act = () => SafeTensors.Read(path);
        act.Should().Throw<CheckpointFormatException>().WithMessage($"*'w' (F32 [2147483648]) holds 8589934592 bytes; Scouter.Core reads tensors of up to {Array.MaxLength} bytes*");
    }

    [Fact]
    public void Read_LeaksNoTensorsInALoop()
    {
        var path = InteropFixtures.Path("tiny_state_dict.safetensors");
        using (SafeTensors.Read(path))
        {
        }

        var before = LiveTensors.Count();
        for (var i = 0; i < 20; i++)
        {
            using var stateDict = SafeTensors.Read(path);
        }

        LiveTensors.Count().Should().Be(before);
    }

    private static void WriteRaw(string path, string header, byte[] data)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)text.Length);
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + text.Length);
        File.WriteAllBytes(path, bytes);
    }
}
