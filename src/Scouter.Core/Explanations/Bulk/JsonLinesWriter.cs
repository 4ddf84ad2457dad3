// JSON Lines (one JSON value per line) that survive being killed: lines are only ever appended whole, in one write per
// block followed by a flush, and reopening a file cuts off an incomplete last line, the only damage a crash can leave.
// A file is only ever continued, trimmed or restarted once all of it has been read and found to be such lines: a
// file of anything else (a checkpoint, notes, another program's JSON) is refused untouched.
using System.Buffers;
using System.Text.Json;
using Scouter.Core.IO;

namespace Scouter.Core.Explanations.Bulk;

/// <summary>
/// Appends blocks of JSON values to a JSON Lines file, each block in a single write followed by a flush (to the disk
/// by default), so an interruption between blocks leaves only whole lines and a crash during one leaves at most one
/// incomplete last line. Opening a file to continue it removes such a line first and can list a property of every
/// line already there (the keys of work already done).
/// </summary>
/// <remarks>
/// An existing file is read whole before anything is written to it. Every complete line must be empty or a JSON
/// object (that the caller's check accepts), and an incomplete last line must be the start of one, as a write cut
/// short leaves it. Any other file throws <see cref="InvalidDataException"/> and keeps every byte, even when
/// <c>append</c> is false: this writer never modifies a file it could not have written.
/// </remarks>
/// <example>
/// <code>
/// using var file = JsonLinesWriter.Open("out.jsonl", append: true);
/// var done = file.ExistingValues("id").ToHashSet();
/// file.WriteBlock(records.Where(r => !done.Contains(r.Id)), ExplanationRecord.JsonOptions);
/// </code>
/// </example>
public sealed class JsonLinesWriter : IDisposable
{
    private const byte NewLine = (byte)'\n';

    private readonly FileStream stream;
    private readonly bool flushToDisk;
    private readonly ArrayBufferWriter<byte> buffer = new(1 << 16);

    private JsonLinesWriter(string path, FileStream stream, bool flushToDisk, long truncatedBytes)
    {
        Path = path;
        this.stream = stream;
        this.flushToDisk = flushToDisk;
        TruncatedBytes = truncatedBytes;
        InitialLength = stream.Length;
    }

    /// <summary>The file (absolute path).</summary>
    public string Path { get; }

    /// <summary>Bytes of an incomplete last line (no line break) removed when the file was opened; 0 when there was none.</summary>
    public long TruncatedBytes { get; }

    /// <summary>Length of the kept lines when the file was opened.</summary>
    public long InitialLength { get; }

    /// <summary>Lines written through this writer.</summary>
    public long LinesWritten { get; private set; }

    /// <summary>Opens (creating it and its folder if needed) a JSON Lines file for appending.</summary>
    /// <param name="path">The file.</param>
    /// <param name="append">Keep the complete lines already in the file and cut off an incomplete last one (true), or start the file empty (false).</param>
    /// <param name="flushToDisk">After each block, flush to the disk itself (fsync), not only to the operating system.</param>
    /// <param name="checkLine">
    /// Decides whether a complete line already in the file (a JSON object) is one of the caller's records: returns null
    /// when it is, else what a line should be (for the message). Null accepts any JSON object.
    /// </param>
    /// <exception cref="InvalidDataException">The file exists and is not a JSON Lines file of such records; it is left untouched.</exception>
    /// <exception cref="IOException">The path is a folder, a folder on it is a file, or the file cannot be opened for writing (e.g. another writer holds it).</exception>
    public static JsonLinesWriter Open(string path, bool append = true, bool flushToDisk = true, Func<JsonElement, string?>? checkLine = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = OutputPaths.RequireWritableFile(path);
        var complete = File.Exists(fullPath) ? Validate(fullPath, checkLine ?? (_ => null)) : 0;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);

        // FileShare.Read: readers may follow the file while it grows; a second writer would interleave lines.
        var stream = new FileStream(fullPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        try
        {
            var length = stream.Length;
            var keep = append ? Math.Min(complete, length) : 0;
            if (keep != length)
            {
                stream.SetLength(keep);
                stream.Flush(flushToDisk);
            }

            stream.Seek(keep, SeekOrigin.Begin);
            return new JsonLinesWriter(fullPath, stream, flushToDisk, append ? length - keep : 0);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The string value of top-level property <paramref name="property"/> of every line the file held when it was opened,
    /// in file order (read lazily from the file; empty lines are ignored).
    /// </summary>
    /// <param name="property">The property name, e.g. <c>id</c>.</param>
    /// <exception cref="InvalidDataException">A line is not a JSON object with that string property (the message names the line).</exception>
    public IEnumerable<string> ExistingValues(string property)
    {
        ArgumentException.ThrowIfNullOrEmpty(property);
        return Read(Path, InitialLength, property);
    }

    /// <summary>Serialises every value as one line and appends them all in a single write, then flushes.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="values">The values; each must serialise to one line (compact JSON never holds a raw line break).</param>
    /// <param name="options">Serializer settings; must not indent.</param>
    /// <returns>Lines written.</returns>
    /// <exception cref="ArgumentException">The settings indent the output, which would split values over lines.</exception>
    public int WriteBlock<T>(IEnumerable<T> values, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.WriteIndented == true)
        {
            throw new ArgumentException("JSON Lines holds one value per line; use serializer options with WriteIndented = false.", nameof(options));
        }

        // Everything is serialised before anything is written: a failing value leaves the file untouched.
        buffer.ResetWrittenCount();
        var lines = 0;
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = options?.Encoder }))
        {
            foreach (var value in values)
            {
                JsonSerializer.Serialize(json, value, options);
                json.Flush();
                buffer.Write([NewLine]);
                json.Reset(buffer);
                lines++;
            }
        }

        if (lines > 0)
        {
            stream.Write(buffer.WrittenSpan);
            stream.Flush(flushToDisk);
            LinesWritten += lines;
        }

        return lines;
    }

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();

    // Lines of our files hold a few maps of at most a few megabytes each; a longer "line" is some other file.
    private const int MaxLineBytes = 1 << 30;

    /// <summary>
    /// Reads the whole file and returns the length of its complete lines (up to and including the last line break), or
    /// throws when a complete line is not an accepted JSON object or the incomplete rest is not the start of one.
    /// </summary>
    private static long Validate(string path, Func<JsonElement, string?> checkLine)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var line = new ArrayBufferWriter<byte>(1 << 16);
        var block = new byte[1 << 16];
        long complete = 0;
        var lineNumber = 1;
        int read;
        while ((read = stream.Read(block, 0, block.Length)) > 0)
        {
            var span = block.AsSpan(0, read);
            while (!span.IsEmpty)
            {
                var end = span.IndexOf(NewLine);
                var part = end < 0 ? span : span[..end];
                // A line that does not start like an object is refused at its first byte, however long the file.
                if (line.WrittenCount == 0 && !part.IsEmpty && part[0] != (byte)'{')
                {
                    throw NotOurs(path, lineNumber, part, "a JSON object");
                }

                if (line.WrittenCount + (long)part.Length > MaxLineBytes)
                {
                    throw NotOurs(path, lineNumber, line.WrittenSpan, $"a line of at most {MaxLineBytes} bytes");
                }

                line.Write(part);
                if (end < 0)
                {
                    break;
                }

                CheckCompleteLine(path, lineNumber, line.WrittenSpan, checkLine);
                complete += line.WrittenCount + 1;
                lineNumber++;
                line.ResetWrittenCount();
                span = span[(end + 1)..];
            }
        }

        if (line.WrittenCount > 0 && !IsStartOfJson(line.WrittenSpan))
        {
            throw NotOurs(path, lineNumber, line.WrittenSpan, "a JSON object (or, as the last line without a line break, the start of one)");
        }

        return complete;
    }

    private static void CheckCompleteLine(string path, int lineNumber, ReadOnlySpan<byte> line, Func<JsonElement, string?> checkLine)
    {
        if (line.IsEmpty)
        {
            return;
        }

        string? problem;
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            problem = document.RootElement.ValueKind == JsonValueKind.Object ? checkLine(document.RootElement) : "a JSON object";
        }
        catch (JsonException)
        {
            problem = "a JSON object";
        }

        if (problem is not null)
        {
            throw NotOurs(path, lineNumber, line, problem);
        }
    }

    // What a write cut short leaves: valid JSON so far, the end missing.
    private static bool IsStartOfJson(ReadOnlySpan<byte> text)
    {
        var reader = new Utf8JsonReader(text, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static InvalidDataException NotOurs(string path, int lineNumber, ReadOnlySpan<byte> line, string expected)
    {
        var head = line[..Math.Min(line.Length, 80)];
        var text = System.Text.Encoding.UTF8.GetString(head);
        var preview = text.Any(c => (char.IsControl(c) && c != '\t') || c == '\uFFFD')
            ? $"binary data starting {Convert.ToHexString(head[..Math.Min(head.Length, 16)])}"
            : text + (line.Length > 80 ? "…" : string.Empty);
        return new InvalidDataException($"{path} is not a JSON Lines file of this kind: line {lineNumber} is {(preview.StartsWith("binary", StringComparison.Ordinal) ? preview : $"'{preview}'")}; expected {expected}. The file was left untouched; move it away or choose another file.");
    }

    private static IEnumerable<string> Read(string path, long length, string property)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var text = new StreamReader(reader, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        var lineNumber = 0;
        long consumed = 0;
        while (consumed < length && text.ReadLine() is { } line)
        {
            lineNumber++;
            consumed += System.Text.Encoding.UTF8.GetByteCount(line) + 1;
            if (line.Length == 0)
            {
                continue;
            }

            yield return ValueOf(line, property, path, lineNumber);
        }
    }

    private static string ValueOf(string line, string property, string path, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Reported below with the line number.
        }

        var preview = line.Length > 80 ? line[..80] + "…" : line;
        throw new InvalidDataException($"{path} line {lineNumber}: expected a JSON object with a string \"{property}\"; got '{preview}'. Delete or move the file to start over.");
    }
}
