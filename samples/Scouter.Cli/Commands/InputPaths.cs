namespace Scouter.Cli.Commands;

/// <summary>Checks that a path flag names what its verb reads: an existing file, or an existing folder. Messages name the flag.</summary>
internal static class InputPaths
{
    /// <summary>The file named by <c>--<paramref name="flag"/></c> must exist and be a file.</summary>
    /// <param name="path">The path given.</param>
    /// <param name="flag">The flag, without dashes.</param>
    /// <exception cref="CliException">It is a folder, or does not exist.</exception>
    public static void RequireFile(string path, string flag)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"--{flag} {path} is a folder; a file is expected here.");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"--{flag} {path}: no such file{WhyMissing(path)}.");
        }
    }

    /// <summary>The folder named by <c>--<paramref name="flag"/></c> must exist and be a folder.</summary>
    /// <param name="path">The path given.</param>
    /// <param name="flag">The flag, without dashes.</param>
    /// <exception cref="CliException">It is a file, or does not exist.</exception>
    public static void RequireFolder(string path, string flag)
    {
        if (File.Exists(path))
        {
            throw new CliException($"--{flag} {path} is a file; a folder is expected here.");
        }

        if (!Directory.Exists(path))
        {
            throw new CliException($"--{flag} {path}: no such folder{WhyMissing(path)}.");
        }
    }

    // "Could not find a part of the path" says nothing; the first missing or mistaken part does.
    private static string WhyMissing(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        while (parent is not null && !Directory.Exists(parent))
        {
            if (File.Exists(parent))
            {
                return $" ({parent} is a file, not a folder)";
            }

            full = parent;
            parent = Path.GetDirectoryName(parent);
        }

        return full == Path.GetFullPath(path) ? string.Empty : $" ({full} does not exist)";
    }
}
