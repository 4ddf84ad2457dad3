// JSON Lines (one JSON value per line) that survive being killed: lines are only ever appended whole, in one write per
// block followed by a flush, and reopening a file cuts off an incomplete last line, the only damage a crash can leave.
using System.Buffers;
using System.Text.Json;

namespace Scouter.Core.Explanations.Bulk;

/// <summary>
/// Appends blocks of JSON values to a JSON Lines file, each block in a single write followed by a flush (to the disk
/// by default), so an interruption between blocks leaves only whole lines and a crash during one leaves at most one
/// incomplete last line. Opening a file to continue it removes such a line first and can list a property of every
/// line already there (the keys of work already done).
/// </summary>
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
    /// <exception cref="IOException">The file cannot be opened for writing (e.g. another writer holds it).</exception>
    public static JsonLinesWriter Open(string path, bool append = true, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);

        // FileShare.Read: readers may follow the file while it grows; a second writer would interleave lines.
        var stream = new FileStream(fullPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        try
        {
            var length = stream.Length;
            var keep = append ? CompleteLength(stream) : 0;
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

    /// <summary>The length up to and including the last line break: what remains when an incomplete last line is cut off.</summary>
    private static long CompleteLength(FileStream stream)
    {
        var block = new byte[1 << 16];
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - block.Length);
            var count = (int)(end - start);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(block, 0, count);
            var last = Array.LastIndexOf(block, NewLine, count - 1, count);
            if (last >= 0)
            {
                return start + last + 1;
            }

            end = start;
        }

        return 0;
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
