using System.Text;
using System.Text.Json.Serialization;
using Scouter.Core.Explanations.Bulk;
using Scouter.Core.Tests.Data;

namespace Scouter.Core.Tests.Explanations.Bulk;

public sealed class JsonLinesWriterTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private sealed record Item([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("value")] int Value);

    [Fact]
    public void WriteBlock_AppendsOneCompactLinePerValue()
    {
        var path = folder.PathOf("sub", "items.jsonl");
        using (var file = JsonLinesWriter.Open(path))
        {
            file.WriteBlock([new Item("a", 1), new Item("b", 2)]).Should().Be(2);
            file.WriteBlock([new Item("c", 3)]);
            file.LinesWritten.Should().Be(3);
        }

        File.ReadAllText(path).Should().Be("{\"id\":\"a\",\"value\":1}\n{\"id\":\"b\",\"value\":2}\n{\"id\":\"c\",\"value\":3}\n");
    }

    [Fact]
    public void Open_CutsOffAnIncompleteLastLine_AndListsTheCompleteOnes()
    {
        var path = folder.WriteText("items.jsonl", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"val");

        using (var file = JsonLinesWriter.Open(path))
        {
            file.TruncatedBytes.Should().Be("{\"id\":\"c\",\"val".Length);
            file.InitialLength.Should().Be("{\"id\":\"a\"}\n{\"id\":\"b\"}\n".Length);
            file.ExistingValues("id").Should().Equal("a", "b");
            file.WriteBlock([new Item("c", 3)]);
        }

        File.ReadAllText(path).Should().Be("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"value\":3}\n");
    }

    [Fact]
    public void Open_AFileWithoutAnyLineBreak_KeepsNothing()
    {
        var path = folder.WriteText("items.jsonl", "{\"id\":\"a\"");

        using var file = JsonLinesWriter.Open(path);

        file.TruncatedBytes.Should().Be(9);
        file.ExistingValues("id").Should().BeEmpty();
        new FileInfo(path).Length.Should().Be(0);
    }

    [Fact]
    public void Open_WithoutAppend_StartsTheFileEmpty()
    {
        var path = folder.WriteText("items.jsonl", "{\"id\":\"a\"}\n");

        using (var file = JsonLinesWriter.Open(path, append: false))
        {
            file.TruncatedBytes.Should().Be(0);
            file.ExistingValues("id").Should().BeEmpty();
            file.WriteBlock([new Item("z", 0)]);
        }

        File.ReadAllText(path).Should().Be("{\"id\":\"z\",\"value\":0}\n");
    }

    [Fact]
    public void ExistingValues_NamesTheLineWithoutTheProperty()
    {
        var path = folder.WriteText("items.jsonl", "{\"id\":\"a\"}\n\n{\"name\":\"b\"}\n");

        using var file = JsonLinesWriter.Open(path);
        var act = () => file.ExistingValues("id").ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("*line 3*string \"id\"*name*");
    }

    /// <summary>Files that are not JSON Lines of objects: none may be continued, trimmed or restarted.</summary>
    public static TheoryData<string, byte[], string> ForeignFiles => new()
    {
        { "a torch.save checkpoint", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, 0x0A, 0x7B, 0x22], "*line 1 is binary data starting 504B0304*" },
        { "notes whose last line has no line break", "first line\nlast line"u8.ToArray(), "*line 1 is 'first line'*" },
        { "a JSON array", "[{\"id\":\"a\"}]\n"u8.ToArray(), "*line 1*expected a JSON object*" },
        { "records, then text without a line break", "{\"id\":\"a\"}\nsome words"u8.ToArray(), "*line 2 is 'some words'*" },
        { "records, then a line that is no JSON", "{\"id\":\"a\"}\n{not json}\n{\"id\":\"b\"}\n"u8.ToArray(), "*line 2*" },
        { "records, then the start of something that cannot be JSON", "{\"id\":\"a\"}\n{\"id\" \"b"u8.ToArray(), "*line 2*start of one*" },
        { "a UTF-8 text with a byte-order mark", "\uFEFF{\"id\":\"a\"}\n"u8.ToArray(), "*line 1*" },
    };

    [Theory]
    [MemberData(nameof(ForeignFiles))]
    public void Open_AForeignFile_ThrowsAndLeavesItByteIdentical(string what, byte[] content, string message)
    {
        var path = folder.PathOf("foreign.jsonl");
        File.WriteAllBytes(path, content);
        var written = File.GetLastWriteTimeUtc(path);

        foreach (var append in new[] { true, false })
        {
            var act = () => JsonLinesWriter.Open(path, append).Dispose();
            act.Should().Throw<InvalidDataException>(what).WithMessage(message).WithMessage("*left untouched*");
            File.ReadAllBytes(path).Should().Equal(content, what);
            File.GetLastWriteTimeUtc(path).Should().Be(written, what);
        }
    }

    [Fact]
    public void Open_ACheckRejectingALine_LeavesTheFileUntouched_AndNamesWhatWasExpected()
    {
        const string text = "{\"id\":\"a\",\"maps\":[]}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"ma";
        var path = folder.WriteText("items.jsonl", text);

        var act = () => JsonLinesWriter.Open(path, checkLine: line => line.TryGetProperty("maps", out _) ? null : "a record with maps").Dispose();

        act.Should().Throw<InvalidDataException>().WithMessage("*line 2 is '{\"id\":\"b\"}'; expected a record with maps*");
        File.ReadAllText(path).Should().Be(text, "the incomplete last line is only cut once every complete line is known to be ours");
    }

    [Fact]
    public void Open_AFolder_IsRefused()
    {
        var act = () => JsonLinesWriter.Open(folder.Folder("dir.jsonl"));
        act.Should().Throw<IOException>().WithMessage("*is a folder; a file is needed here*");
    }

    [Fact]
    public void WriteBlock_WithIndentingOptions_IsRejectedBeforeWriting()
    {
        var path = folder.PathOf("items.jsonl");
        using var file = JsonLinesWriter.Open(path);

        var act = () => file.WriteBlock([new Item("a", 1)], new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        act.Should().Throw<ArgumentException>().WithMessage("*WriteIndented = false*");
        new FileInfo(path).Length.Should().Be(0);
    }

    [Fact]
    public void WriteBlock_EscapesLineBreaksInsideStrings()
    {
        var path = folder.PathOf("items.jsonl");
        using (var file = JsonLinesWriter.Open(path))
        {
            file.WriteBlock([new Item("a\nb", 1)]);
        }

        var text = File.ReadAllText(path, Encoding.UTF8);
        text.Count(ch => ch == '\n').Should().Be(1, "a raw line break inside a value would split the line");
        using var reopened = JsonLinesWriter.Open(path);
        reopened.ExistingValues("id").Should().Equal("a\nb");
    }
}
