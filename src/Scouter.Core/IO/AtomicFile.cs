namespace Scouter.Core.Internal;

/// <summary>
/// Writes a file through a temporary file in the same directory and a rename, so readers never see a half-written
/// file and a failed write leaves the previous file untouched. A process killed mid-write leaves its temporary file
/// behind (nothing can delete it then); the next successful write of the same file removes such orphans.
/// </summary>
internal static class AtomicFile
{
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

        DeleteOrphans(fullPath, started);
    }

    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    public static void Write(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    private static string TemporaryPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    // Only files last written before this write began: a concurrent writer's live temporary file is newer.
    private static void DeleteOrphans(string fullPath, DateTime started)
    {
        foreach (var orphan in Directory.GetFiles(Path.GetDirectoryName(fullPath)!, TemporaryPrefix(fullPath) + "*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(orphan) < started)
                {
                    File.Delete(orphan);
                }
            }
            catch (IOException)
            {
                // Best effort: an orphan that cannot be removed now is retried by the next write.
            }
        }
    }
}
