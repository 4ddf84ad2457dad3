using System.Text.RegularExpressions;

namespace Scouter.Core.IO;

/// <summary>
/// Writes a file through a temporary file in the same folder and a rename, so readers never see a half-written file
/// and a failed write leaves the previous file untouched. Every file Scouter.Core writes (checkpoints, weights,
/// images, reports) goes through it.
/// </summary>
/// <remarks>
/// The temporary file is named <c>.{file name}.{32 hex digits}.tmp</c>. A process killed mid-write leaves it behind
/// (nothing can delete it then); the next successful write of the same file removes such orphans, and
/// <see cref="RemoveOrphans"/> removes those of a whole folder (the <c>Trainer</c> calls it when a run starts).
/// </remarks>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, replacing any file there only once the new one is complete.</summary>
    /// <param name="path">The file; its folder is created if needed.</param>
    /// <param name="write">Writes the content to the stream given (a temporary file).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"{TemporaryPrefix(fullPath)}{Guid.NewGuid():N}.tmp");
        var started = DateTime.UtcNow;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DeleteOrphans(directory, TemporaryPrefix(fullPath) + "*.tmp", started);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file; its folder is created if needed.</param>
    /// <param name="bytes">The content.</param>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file; its folder is created if needed.</param>
    /// <param name="text">The content.</param>
    public static void Write(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Removes the temporary files that writers killed mid-write left in <paramref name="directory"/> (not its
    /// subfolders): only files named as this class names them, and only those last written before
    /// <paramref name="startedUtc"/>, so a write in progress since then is never touched.
    /// </summary>
    /// <param name="directory">The folder; nothing happens when it does not exist.</param>
    /// <param name="startedUtc">When the caller's run started (UTC).</param>
    /// <returns>How many files were removed.</returns>
    public static int RemoveOrphans(string directory, DateTime startedUtc)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Directory.Exists(directory) ? DeleteOrphans(directory, ".*.tmp", startedUtc) : 0;
    }

    private static string TemporaryPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    [GeneratedRegex("^\\..+\\.[0-9a-f]{32}\\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    // Only files last written before `started`: a concurrent writer's live temporary file is newer.
    private static int DeleteOrphans(string directory, string pattern, DateTime started)
    {
        var removed = 0;
        foreach (var orphan in Directory.EnumerateFiles(directory, pattern))
        {
            try
            {
                if (TemporaryName().IsMatch(Path.GetFileName(orphan)) && File.GetLastWriteTimeUtc(orphan) < started)
                {
                    File.Delete(orphan);
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: an orphan that cannot be removed now is retried by the next write.
            }
        }

        return removed;
    }
}
