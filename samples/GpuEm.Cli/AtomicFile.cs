using System.Text;
using GpuEm.Persistence;

namespace GpuEm.Cli;

/// <summary>Text results written as model files are (<see cref="ReplacedFile"/>): a temporary file
/// beside the target, flushed, then renamed over it.</summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<TextWriter> write) =>
        ReplacedFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(writer);
        });
}
