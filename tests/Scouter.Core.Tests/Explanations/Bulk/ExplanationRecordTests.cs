using Scouter.Core.Explanations.Bulk;

namespace Scouter.Core.Tests.Explanations.Bulk;

public sealed class ExplanationRecordTests
{
    // Bytes whose base64 holds '+' and '/', the two characters a JSON encoder may escape.
    private static readonly byte[] MapBytes = [0, 255, 62, 251, 239, 191, 128, 7, 1];

    private static ExplanationRecord Record() =>
        new("images/cat 1.png", 17, "/data/images/cat 1.png", null, null, 2, "Triangle", [0.1f, 0.25f, 0.65f, 1e-7f], "positive", [3, 3],
            [
                new ExplainedMap(2, "Triangle", 0.65f, 0.123456f, Convert.ToBase64String(MapBytes)),
                new ExplainedMap(1, null, 0.25f, 0f, Convert.ToBase64String(new byte[9])),
            ]);

    [Fact]
    public void Json_IsTheFileFormat_ByteForByte()
    {
        // The format files already written are read back in: a faster encoder must write exactly these bytes.
        Record().ToJson().Should().Be(
            "{\"id\":\"images/cat 1.png\",\"index\":17,\"source\":\"/data/images/cat 1.png\",\"label\":null,\"label_name\":null," +
            "\"prediction\":2,\"prediction_name\":\"Triangle\",\"probabilities\":[0.1,0.25,0.65,1E-07],\"polarity\":\"positive\"," +
            "\"map_size\":[3,3],\"maps\":[{\"class\":2,\"class_name\":\"Triangle\",\"probability\":0.65,\"area_size\":0.123456," +
            "\"map\":\"AP8\\u002B\\u002B\\u002B\\u002B/gAcB\"},{\"class\":1,\"class_name\":null,\"probability\":0.25,\"area_size\":0," +
            "\"map\":\"AAAAAAAAAAAA\"}]}");
    }

    [Fact]
    public void Parse_ReadsBackEveryValue()
    {
        var record = Record();

        var parsed = ExplanationRecord.Parse(record.ToJson());

        parsed.Id.Should().Be(record.Id);
        parsed.Probabilities.Should().Equal(record.Probabilities);
        parsed.MapSize.Should().Equal(3, 3);
        parsed.Maps.Should().HaveCount(2);
        parsed.Maps[0].Should().Be(record.Maps[0]);
        parsed.Maps[0].Pixels().Should().Equal(MapBytes);
        parsed.ToJson().Should().Be(record.ToJson());
    }
}
