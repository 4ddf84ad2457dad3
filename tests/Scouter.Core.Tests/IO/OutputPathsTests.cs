using Scouter.Core.IO;
using Scouter.Core.Tests.Data;

namespace Scouter.Core.Tests.IO;

public sealed class OutputPathsTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>
    /// A folder no file can be created in, for whoever runs the tests: /sys refuses new files even to root, who may
    /// write in a folder without write permission.
    /// </summary>
    public static string UnwritableFolder => "/sys";

    [Fact]
    public void RequireWritableDirectory_AcceptsAnExistingFolder_AndOneToCreate_CreatingNothing()
    {
        OutputPaths.RequireWritableDirectory(folder.Root).Should().Be(folder.Root);
        OutputPaths.RequireWritableDirectory(folder.PathOf("a", "b")).Should().Be(folder.PathOf("a", "b"));

        Directory.EnumerateFileSystemEntries(folder.Root).Should().BeEmpty("the check creates nothing and leaves no probe file");
    }

    [Fact]
    public void RequireWritableDirectory_AFile_IsRefused()
    {
        var file = folder.WriteText("out", "x");
        var act = () => OutputPaths.RequireWritableDirectory(file);
        act.Should().Throw<UnwritablePathException>().WithMessage($"'{file}' is a file; a folder is needed here.").Which.OutputPath.Should().Be(file);
    }

    [Fact]
    public void RequireWritableDirectory_UnderAFile_NamesTheFile()
    {
        var file = folder.WriteText("out", "x");
        var act = () => OutputPaths.RequireWritableDirectory(Path.Combine(file, "sub", "deeper"));
        act.Should().Throw<UnwritablePathException>().WithMessage($"*cannot be created: '{file}' is a file, not a folder.");
    }

    [Fact]
    public void RequireWritableDirectory_ReadOnly_IsRefused()
    {
        var act = () => OutputPaths.RequireWritableDirectory(Path.Combine(UnwritableFolder, "scouter-out"));
        act.Should().Throw<UnwritablePathException>().WithMessage("*no file can be created in '/sys'*");
    }

    [Fact]
    public void RequireWritableFile_AFolder_IsRefused_AndAnExistingFileIsLeftAsItWas()
    {
        var act = () => OutputPaths.RequireWritableFile(folder.Folder("x.json"));
        act.Should().Throw<UnwritablePathException>().WithMessage("*x.json' is a folder; a file is needed here.");

        var file = folder.WriteText("y.json", "{}");
        var written = File.GetLastWriteTimeUtc(file);
        OutputPaths.RequireWritableFile(file);
        File.ReadAllText(file).Should().Be("{}");
        File.GetLastWriteTimeUtc(file).Should().Be(written);
    }

    [Fact]
    public void RemoveOrphans_RemovesOnlyOurOldTemporaryFiles()
    {
        var old = folder.WriteText($".model.pth.{Guid.NewGuid():N}.tmp", "partial");
        var hidden = folder.WriteText(".model.pth.tmp", "not ours: no 32-digit id");
        var sub = folder.WriteText(Path.Combine("sub", $".model.pth.{Guid.NewGuid():N}.tmp"), "in a subfolder");
        foreach (var path in new[] { old, hidden, sub })
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        }

        AtomicFile.RemoveOrphans(folder.Root, DateTime.UtcNow).Should().Be(1);

        File.Exists(old).Should().BeFalse();
        File.Exists(hidden).Should().BeTrue();
        File.Exists(sub).Should().BeTrue("only the folder itself is cleaned");
        AtomicFile.RemoveOrphans(folder.PathOf("missing"), DateTime.UtcNow).Should().Be(0);
    }
}
