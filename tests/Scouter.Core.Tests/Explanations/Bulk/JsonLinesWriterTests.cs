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
    public void ExistingValues_NamesTheLineThatIsNotARecord()
    {
        var path = folder.WriteText("items.jsonl", "{\"id\":\"a\"}\n\nnot json\n");

        using var file = JsonLinesWriter.Open(path);
        var act = () => file.ExistingValues("id").ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("*line 3*string \"id\"*not json*");
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
