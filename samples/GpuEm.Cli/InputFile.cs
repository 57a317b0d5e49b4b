using GpuEm.Data;

namespace GpuEm.Cli;

/// <summary>
/// The <c>--input</c> of fit, kmeans, predict and score. The file name's extension picks the
/// reader: <c>.npy</c> is a NumPy array (float32 or float64, C order, memory-mapped); <c>.f32</c>
/// and <c>.raw</c> are headerless little-endian float32 with <c>--columns D</c> values per row;
/// anything else is a headerless CSV (<see cref="CsvMatrixReader"/>, as before). Binary files are
/// handed to the library as <see cref="IDataSource"/>s and never copied into a <c>float[,]</c>.
/// </summary>
internal static class InputFile
{
    /// <summary>The help text's paragraph on input files, shared by the four commands.</summary>
    internal const string Help = """
        FILE is read by its extension: .npy is a NumPy array (float32 or float64, C order, shape
        (n, d) or (n,)); .f32 and .raw are headerless little-endian float32, row-major, and need
        --columns D; anything else is a headerless CSV. Binary files are memory-mapped, not
        parsed: float32 is used in place, float64 is converted to float32 as it is read.
        """;

    /// <summary>Whether <paramref name="path"/> is read as a binary file rather than CSV.</summary>
    internal static bool IsBinary(string path) => IsNpy(path) || IsRaw(path);

    /// <summary>
    /// Opens a binary input (the caller disposes it), or returns null for a CSV input, which the
    /// caller reads with <see cref="CsvMatrixReader"/>. <c>--columns</c> is a usage error unless
    /// the input is raw float32, where it is required.
    /// </summary>
    internal static IDataSource? Open(string path, Arguments a)
    {
        if (IsRaw(path))
        {
            int columns = a.Int("columns", 0) is int d and > 0
                ? d
                : throw new UsageException($"--columns D (≥ 1) is required for the raw float32 input {Path.GetFileName(path)}");
            return MappedDataSource.OpenRaw(path, columns);
        }
        if (a.Text("columns") is not null)
            throw new UsageException("--columns applies only to raw float32 inputs (.f32, .raw); .npy and CSV files give their own");
        return IsNpy(path) ? MappedDataSource.OpenNpy(path) : null;
    }

    /// <summary>The input of a command that reads CSV only (select, plot); a binary file is a usage error.</summary>
    internal static string RequireCsv(string path, string command) =>
        IsBinary(path)
            ? throw new UsageException(
                $"gpuem {command} reads CSV only; {Path.GetFileName(path)} is a binary file (fit, kmeans, predict and score read .npy, .f32 and .raw)")
            : path;

    /// <summary>
    /// Runs <paramref name="work"/> over a source. The library reports a bad value in a source
    /// (infinite, NaN without marginalizing, a row with nothing observed) as an ArgumentException
    /// whose parameter names the source; that becomes a data error, as the CSV reader's are,
    /// without .NET's "(Parameter …)" tail and with <paramref name="hint"/> appended.
    /// </summary>
    internal static T Read<T>(IDataSource? source, Func<T> work, string hint = "")
    {
        try
        {
            return work();
        }
        catch (ArgumentException ex) when (source is not null && ex.ParamName is { } name
            && name.Contains(source.Description, StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) + hint, ex);
        }
    }

    private static bool IsNpy(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    private static bool IsRaw(string path) =>
        Path.GetExtension(path).Equals(".f32", StringComparison.OrdinalIgnoreCase)
        || Path.GetExtension(path).Equals(".raw", StringComparison.OrdinalIgnoreCase);
}
