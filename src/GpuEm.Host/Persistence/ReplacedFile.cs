namespace GpuEm.Persistence;

/// <summary>
/// Files are replaced, never truncated: what is written goes into a temporary file in the target's
/// folder, is flushed to disk, then renamed over the target, so a crash, a kill or a full disk
/// mid-write leaves the previous file as it was. Model files, and the command-line tool's
/// label, probability and picture files, are all written this way.
/// </summary>
public static class ReplacedFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> by replacing it.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given (do not dispose it).</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot write {path}: the folder {folder} does not exist.");
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
