using System.Globalization;
using System.Text.RegularExpressions;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// A second <c>train</c> into the same <c>--output_dir</c> never silently replaces the first: when the folder already
/// holds a run of the same model (its checkpoints or metrics), training starts only with <c>--resume</c> (continue
/// that run) or <c>--overwrite true</c> (replace it), and otherwise stops before any work, naming the files.
/// </summary>
internal static class EarlierRun
{
    /// <summary>The files and folders of a run with checkpoint stem <paramref name="stem"/> in <paramref name="directory"/>.</summary>
    /// <param name="directory">The run's output folder.</param>
    /// <param name="stem">The checkpoint stem (<see cref="CheckpointNames.Stem"/>).</param>
    public static IReadOnlyList<string> FilesOf(string directory, string stem)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var pattern = new Regex($"^{Regex.Escape(stem)}(checkpoint(_best|\\d{{4}})?\\.pth|metrics\\.(csv|json|png)|explanations)$", RegexOptions.CultureInvariant);
        return Directory.EnumerateFileSystemEntries(directory, stem + "*")
            .Where(path => pattern.IsMatch(Path.GetFileName(path)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Throws unless <paramref name="directory"/> holds no run with <paramref name="stem"/>, or the user asked to continue or replace it.</summary>
    /// <param name="directory">The run's output folder.</param>
    /// <param name="stem">The checkpoint stem.</param>
    /// <param name="continues">The run resumes that run (<c>--resume true</c>, or <c>--resume</c> naming its checkpoint).</param>
    /// <param name="overwrite"><c>--overwrite true</c>.</param>
    /// <exception cref="CliException">An earlier run is there and would be replaced.</exception>
    public static void RequireNone(string directory, string stem, bool continues, bool overwrite)
    {
        if (continues || overwrite)
        {
            return;
        }

        var files = FilesOf(directory, stem);
        if (files.Count == 0)
        {
            return;
        }

        var newest = files.Max(File.GetLastWriteTime);
        var names = string.Join(", ", files.Select(Path.GetFileName).Take(4)) + (files.Count > 4 ? $" and {files.Count - 4} more" : string.Empty);
        throw new CliException(string.Create(CultureInfo.InvariantCulture,
            $"{directory} already holds a run of this model ({names}; last written {newest:yyyy-MM-dd HH:mm}). A new run would replace it: pass --resume true to continue that run, --overwrite true to replace it, or choose another --output_dir."));
    }
}
