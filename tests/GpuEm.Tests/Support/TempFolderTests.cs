namespace GpuEm.Tests.Support;

/// <summary>
/// A test class with a fresh temporary folder per test (xunit makes one instance per test),
/// removed with everything in it afterwards.
/// </summary>
public abstract class TempFolderTests : IDisposable
{
    /// <summary>Creates the folder, named with <paramref name="prefix"/>.</summary>
    protected TempFolderTests(string prefix) => Folder = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The folder's full path.</summary>
    protected string Folder { get; }

    /// <summary>A file in the folder.</summary>
    protected string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
