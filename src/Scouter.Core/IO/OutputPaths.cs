namespace Scouter.Core.IO;

/// <summary>
/// Checks, before a long job starts, that its outputs can be written: a run that would fail at its first save fails
/// at once instead, having done and lost nothing. Nothing is created; a probe file is made and deleted in the
/// nearest existing folder to learn whether it accepts new files (permissions, read-only mounts, quotas on inodes).
/// </summary>
public static class OutputPaths
{
    /// <summary>Checks that <paramref name="path"/> is, or can be created as, a folder this process can write files in.</summary>
    /// <param name="path">The folder.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="UnwritablePathException">The path is a file, a folder on the way is a file, or no file can be created there.</exception>
    public static string RequireWritableDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new UnwritablePathException(full, $"'{full}' is a file; a folder is needed here.");
        }

        RequireCreatableUnder(full);
        return full;
    }

    /// <summary>Checks that <paramref name="path"/> is, or can be created as, a file this process can write.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="UnwritablePathException">The path is a folder, a folder on the way is a file, or the file cannot be created or written.</exception>
    public static string RequireWritableFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UnwritablePathException(full, $"'{full}' is a folder; a file is needed here.");
        }

        RequireCreatableUnder(Path.GetDirectoryName(full)!, full);
        if (File.Exists(full))
        {
            try
            {
                // Opened for writing and closed at once: nothing is truncated or changed.
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
                throw new UnwritablePathException(full, $"'{full}' cannot be written ({reason}; is it read-only?).", e);
            }
        }

        return full;
    }

    // The nearest existing folder of `target` (itself included) must be a folder that accepts new files.
    private static void RequireCreatableUnder(string target, string? file = null)
    {
        var existing = target;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                var wanted = file ?? target;
                throw new UnwritablePathException(wanted, $"'{wanted}' cannot be created: '{existing}' is a file, not a folder.");
            }

            existing = Path.GetDirectoryName(existing) ?? throw new UnwritablePathException(target, $"'{target}' has no existing folder above it.");
        }

        // Named like an atomic writer's temporary file, so AtomicFile.RemoveOrphans clears it should the process die here.
        var probe = Path.Combine(existing, $".scouter-write-test.{Guid.NewGuid():N}.tmp");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var wanted = file ?? target;
            var reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            throw new UnwritablePathException(wanted, $"'{wanted}' cannot be written: no file can be created in '{existing}' ({reason}; is it read-only?).", e);
        }
    }
}
