using System.Buffers;
using System.Text.Unicode;
using GpuEm.Data;

namespace GpuEm.Cli;

/// <summary>
/// The <c>--input</c> of every command that reads rows. The file name's extension picks the
/// reader: <c>.npy</c> is a NumPy array (float32 or float64, C order, memory-mapped); <c>.f32</c>
/// and <c>.raw</c> are headerless little-endian float32 with <c>--columns D</c> values per row;
/// <c>.parquet</c> and <c>.arrow</c>/<c>.feather</c> are tables read by the library's
/// <see cref="ParquetDataSource"/> and <see cref="ArrowDataSource"/> (numeric columns, chosen with
/// <c>--columns NAME,…</c>); anything else is CSV (<see cref="CsvMatrixReader"/>: <c>--header</c>,
/// <c>--delimiter</c>, <c>-</c> for standard input), unless its first bytes show another binary
/// format, which is refused as such rather than parsed. Binary files are handed to the library as
/// <see cref="IDataSource"/>s and never copied into a <c>float[,]</c> (except by plot and select,
/// which draw or fit every row from memory).
/// </summary>
internal static class InputFile
{
    /// <summary>The help text's paragraph on input files, shared by the commands that read rows.</summary>
    internal const string Help = """
        FILE is read by its extension: .npy is a NumPy array (float32 or float64, C order, shape
        (n, d) or (n,)); .f32 and .raw are headerless little-endian float32, row-major, and need
        --columns D, the number of values per row; .parquet (Parquet) and .arrow, .feather (Arrow
        IPC, Feather v2) are tables whose numeric columns are read as float32 (nulls are missing
        values), all of them or those named by --columns NAME,…; anything else is CSV: one row of
        numbers per line, comma-separated (--delimiter C: a character, or tab, space, semicolon;
        .tsv files default to tab), no header line unless --header (then --columns NAME,… chooses
        columns by the header's names); FILE - reads CSV from standard input. Binary files are read
        in chunks, not parsed whole: float32 .npy and raw files are used in place.
        """;

    /// <summary>The flags of a command that reads an input (<c>--header</c>).</summary>
    internal static HashSet<string> Flags(params string[] more) => new([.. more, "header"], StringComparer.Ordinal);

    private const string Formats = "gpuem reads CSV, .npy, .f32/.raw, .parquet, .arrow";

    private enum Format
    {
        Csv,
        Npy,
        Raw,
        Parquet,
        Arrow,
    }

    /// <summary>
    /// Opens a binary input (the caller disposes it), or returns null for a CSV input, which the
    /// caller reads with <see cref="ReadCsv"/>. <c>--columns</c> is a count for raw float32 (and
    /// required there), names for tables and CSV with <c>--header</c>, and a usage error for .npy;
    /// <c>--header</c> and <c>--delimiter</c> are usage errors unless the input is CSV. A file
    /// that is neither CSV text nor a format read here is refused ("unsupported format").
    /// </summary>
    internal static IDataSource? Open(string path, Arguments a)
    {
        Format format = FormatOf(path);
        string name = NameOf(path);
        if (format != Format.Csv && (a.Flag("header") || a.Text("delimiter") is not null))
            throw new UsageException($"--header and --delimiter apply to CSV inputs; {name} is read by its extension, {Path.GetExtension(path)}");
        switch (format)
        {
            case Format.Raw:
                int columns = a.Int("columns", 0) is int d and > 0
                    ? d
                    : throw new UsageException($"--columns D (≥ 1) is required for the raw float32 input {name}");
                return MappedDataSource.OpenRaw(path, columns);
            case Format.Npy:
                if (a.Text("columns") is not null)
                    throw new UsageException(
                        "--columns does not apply to .npy inputs, which give their own shape (it is D for raw float32 .f32/.raw, NAME,… for .parquet, .arrow and CSV with --header)");
                return MappedDataSource.OpenNpy(path);
            case Format.Parquet:
                return OpenTable(a, names => ParquetDataSource.Open(path, names));
            case Format.Arrow:
                return OpenTable(a, names => ArrowDataSource.Open(path, names));
            default:
                if (a.Text("columns") is not null && !a.Flag("header"))
                    throw new UsageException(
                        "--columns NAME,… on a CSV input needs --header (the names are its first line); a headerless CSV gives its own column count (--columns D is for raw float32 .f32/.raw)");
                if (path != "-")
                    RefuseBinary(path);
                return null;
        }
    }

    /// <summary>
    /// Reads a CSV input whole (a file, or standard input for <c>-</c>, read once): the
    /// <c>--delimiter</c>, <c>--header</c> and <c>--columns NAME,…</c> of <paramref name="a"/>;
    /// empty and NaN cells are missing (NaN) when <paramref name="allowMissing"/>, errors otherwise.
    /// </summary>
    internal static float[,] ReadCsv(string path, Arguments a, CliContext context, bool allowMissing)
    {
        var format = new CsvMatrixReader.Format(Delimiter(a, path), a.Flag("header"), a.Text("columns") is { } text ? Names(text) : null);
        // Read as the progress display's reading phase.
        if (path == "-")
            return context.Read(NameOf(path), () => CsvMatrixReader.Read(RefuseBinary(Lines(context.Input), NameOf(path)), NameOf(path), allowMissing, format));
        RefuseBinary(path);
        return context.Read(path, () => CsvMatrixReader.Read(File.ReadLines(path), NameOf(path), allowMissing, format));
    }

    /// <summary>
    /// Any input as an n × d array, for the commands that hold every row (plot, select): a CSV as
    /// <see cref="ReadCsv"/> reads it; a binary file read whole, its values checked finite
    /// unless <paramref name="allowMissing"/> (NaN and nulls then are missing values).
    /// </summary>
    internal static float[,] ReadMatrix(string path, Arguments a, CliContext context, bool allowMissing)
    {
        using IDataSource? source = Open(path, a);
        if (source is null)
            return ReadCsv(path, a, context, allowMissing);
        // FiniteDataSource is not disposed: it would dispose the source a second time.
        IDataSource checkedSource = allowMissing ? source : new FiniteDataSource(source);
        if (source.RowCount > int.MaxValue || source.RowCount * source.ColumnCount > Array.MaxLength)
            throw new InvalidDataException($"{source.Description} is too large to hold in memory as one array.");
        ReadOnlySpan<float> values = DataSource.ReadAll(checkedSource).Span;
        var data = new float[source.RowCount, source.ColumnCount];
        values.CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref data[0, 0], data.Length));
        return data;
    }

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

    private static Format FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".npy" => Format.Npy,
        ".f32" or ".raw" => Format.Raw,
        ".parquet" or ".pq" => Format.Parquet,
        ".arrow" or ".feather" or ".ipc" => Format.Arrow,
        _ => Format.Csv,
    };

    private static string NameOf(string path) => path == "-" ? "standard input" : Path.GetFileName(path);

    // A table's --columns NAME,…; the library's name errors are usage errors here.
    private static IDataSource OpenTable(Arguments a, Func<IReadOnlyList<string>?, IDataSource> open)
    {
        IReadOnlyList<string>? names = a.Text("columns") is { } text ? Names(text) : null;
        try
        {
            return open(names);
        }
        catch (ArgumentException ex) when (ex.ParamName == "columns")
        {
            throw new UsageException("--columns: " + ex.Message.Replace(" (Parameter 'columns')", "", StringComparison.Ordinal).TrimEnd('.'));
        }
    }

    private static string[] Names(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries);
        return names.Any(n => n.Length == 0)
            ? throw new UsageException($"--columns '{text}' has an empty name; give NAME,NAME,… (or D, a count, for raw float32)")
            : names;
    }

    // --delimiter C: one character or its name; a tab for .tsv files when not given.
    private static char Delimiter(Arguments a, string path)
    {
        if (a.Text("delimiter") is not { } text)
            return Path.GetExtension(path).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        char delimiter = text.ToLowerInvariant() switch
        {
            "tab" or "\\t" => '\t',
            "space" => ' ',
            "comma" => ',',
            "semicolon" => ';',
            "pipe" => '|',
            _ when text.Length == 1 => text[0],
            _ => throw new UsageException($"--delimiter '{text}' is not one character (or tab, space, comma, semicolon, pipe)"),
        };
        // A character numbers are written with would cut them apart.
        if (char.IsAsciiDigit(delimiter) || delimiter is '.' or '-' or '+' or 'e' or 'E')
            throw new UsageException($"--delimiter '{text}' is part of how numbers are written; choose another character");
        return delimiter;
    }

    private static IEnumerable<string> Lines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    // A file that is not CSV text: a known binary format by its first bytes, or bytes that are
    // not UTF-8 text (NUL, invalid sequences) in its first 4 KiB.
    private static void RefuseBinary(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        byte[] head = new byte[4096];
        int length;
        long fileLength;
        using (FileStream stream = File.OpenRead(path))
        {
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            fileLength = stream.Length;
        }
        ReadOnlySpan<byte> start = head.AsSpan(0, length);
        string? kind = Magic(start);
        if (kind is null)
        {
            char[] text = ArrayPool<char>.Shared.Rent(length);
            OperationStatus status = Utf8.ToUtf16(start, text, out _, out _, replaceInvalidSequences: false, isFinalBlock: length == fileLength);
            ArrayPool<char>.Shared.Return(text);
            kind = start.Contains((byte)0) ? "binary data (it holds NUL bytes)"
                : status == OperationStatus.InvalidData ? "binary data (not UTF-8 text)"
                : null;
        }
        if (kind is not null)
            throw new InvalidDataException($"unsupported format: {Path.GetFileName(path)} is {kind} ({Formats}).");
    }

    // The same for standard input, as its lines are read (they are decoded already: NUL and
    // U+FFFD, the decoder's replacement for invalid bytes, mark binary data).
    private static IEnumerable<string> RefuseBinary(IEnumerable<string> lines, string name)
    {
        int seen = 0;
        foreach (string line in lines)
        {
            if (seen < 4096)
            {
                string? kind = seen == 0 && line.StartsWith("PAR1", StringComparison.Ordinal) ? "a Parquet file; give it as --input FILE.parquet"
                    : seen == 0 && line.StartsWith("ARROW1", StringComparison.Ordinal) ? "an Arrow IPC file; give it as --input FILE.arrow"
                    : line.Contains('\0', StringComparison.Ordinal) || line.Contains('\uFFFD', StringComparison.Ordinal) ? "binary data, not CSV text"
                    : null;
                if (kind is not null)
                    throw new InvalidDataException($"unsupported format: {name} is {kind} ({Formats}; standard input is CSV only).");
                seen += line.Length + 1;
            }
            yield return line;
        }
    }

    // Known formats by their first bytes; null when none matches.
    private static string? Magic(ReadOnlySpan<byte> start) =>
        start.StartsWith("PAR1"u8) ? "a Parquet file; name it .parquet"
        : start.StartsWith("ARROW1"u8) ? "an Arrow IPC file; name it .arrow or .feather"
        : start.StartsWith("FEA1"u8) ? "a Feather v1 file; rewrite it as Feather v2 (pyarrow.feather.write_feather) and name it .feather"
        : Has(start, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']) ? "a NumPy .npy file; name it .npy"
        : start.StartsWith("PK\x03\x04"u8) ? "a zip archive (.zip, .npz, .xlsx); unpack it, or export the sheet as CSV"
        : Has(start, [0x1F, 0x8B]) ? "gzip-compressed; decompress it first (gunzip -c FILE | gpuem … --input -)"
        : Has(start, [0x28, 0xB5, 0x2F, 0xFD]) ? "Zstandard-compressed; decompress it first"
        : Has(start, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) ? "xz-compressed; decompress it first"
        : Has(start, [0x42, 0x5A, 0x68]) && start.Length > 3 && start[3] is >= (byte)'1' and <= (byte)'9' ? "bzip2-compressed; decompress it first"
        : Has(start, [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) ? "an HDF5 file; export the array as .npy (np.save) or CSV"
        : Has(start, [0xFF, 0xFE]) || Has(start, [0xFE, 0xFF]) ? "UTF-16 text; save it as UTF-8"
        : null;

    private static bool Has(ReadOnlySpan<byte> start, ReadOnlySpan<byte> magic) => start.StartsWith(magic);
}
