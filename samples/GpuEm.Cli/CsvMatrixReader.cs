using System.Globalization;

namespace GpuEm.Cli;

/// <summary>Reads a numeric CSV into an n × d matrix, with errors that name the line.</summary>
public static class CsvMatrixReader
{
    /// <summary>How a CSV is laid out: the cell delimiter, whether its first (non-blank) line is a
    /// header of names, and which columns to keep, by those names (null: all).</summary>
    internal sealed record Format(char Delimiter = ',', bool Header = false, IReadOnlyList<string>? Columns = null);

    /// <summary>Reads <paramref name="path"/>; blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="allowMissing">Read empty cells and NaN as missing (NaN) instead of failing.</param>
    /// <returns>The rows, each the same length.</returns>
    /// <exception cref="InvalidDataException">A cell is not a finite number, rows differ in length,
    /// or the file holds no rows; the message names the 1-based line and column.</exception>
    public static float[,] Read(string path, bool allowMissing = false) =>
        Read(File.ReadLines(path), Path.GetFileName(path), allowMissing, new Format());

    /// <summary>Reads CSV text from a reader.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="allowMissing">Read empty cells and NaN as missing (NaN) instead of failing.</param>
    /// <returns>The rows.</returns>
    public static float[,] Read(TextReader reader, string name, bool allowMissing = false) =>
        Read(Lines(reader), name, allowMissing, new Format());

    /// <summary>Reads CSV lines laid out as <paramref name="format"/> says; blank lines are skipped.</summary>
    internal static float[,] Read(IEnumerable<string> lines, string name, bool allowMissing, Format format)
    {
        var rows = new List<float[]>();
        int columns = -1;
        int[]? chosen = null;
        bool headerPending = format.Header;
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string[] cells = line.Split(format.Delimiter);
            if (headerPending)
            {
                headerPending = false;
                columns = cells.Length;
                if (format.Columns is not null)
                    chosen = Choose(cells.Select(c => c.Trim().Trim('"')).ToArray(), format.Columns, name);
                continue;
            }
            if (columns < 0)
                columns = cells.Length;
            else if (cells.Length != columns)
                throw new InvalidDataException(
                    $"{name} line {lineNumber}: {cells.Length} columns, but the {(format.Header ? "header" : "first row")} has {columns}.");
            int width = chosen?.Length ?? columns;
            var row = new float[width];
            for (int k = 0; k < width; k++)
            {
                int j = chosen?[k] ?? k;
                string cell = cells[j].Trim();
                if (allowMissing && (cell.Length == 0 || cell.Equals("NaN", StringComparison.OrdinalIgnoreCase)))
                {
                    row[k] = float.NaN;
                    continue;
                }
                if (cell.Length == 0)
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: the cell is empty (for missing values use --missing marginalize).");
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: '{Shown(cell)}' is not a number{Hint(cell, rows.Count == 0, format)}.");
                if (!float.IsFinite(value))
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: '{Shown(cell)}' is not finite (for missing values use --missing marginalize).");
                row[k] = value;
            }
            rows.Add(row);
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"{name} holds no data rows.");
        int d = rows[0].Length;
        var result = new float[rows.Count, d];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < d; j++)
                result[i, j] = rows[i][j];
        return result;
    }

    // The header's indices of the chosen names, in the order chosen.
    private static int[] Choose(string[] header, IReadOnlyList<string> names, string name)
    {
        var indices = new int[names.Count];
        for (int k = 0; k < names.Count; k++)
        {
            indices[k] = Array.IndexOf(header, names[k]);
            if (indices[k] < 0)
                throw new UsageException(
                    $"--columns: {name} has no column '{names[k]}' in its header ({string.Join(", ", header.Take(20).Select(h => $"'{h}'"))}{(header.Length > 20 ? ", …" : "")})");
            if (Array.IndexOf(indices, indices[k], 0, k) >= 0)
                throw new UsageException($"--columns: the column '{names[k]}' is chosen twice");
        }
        return indices;
    }

    // What a cell that is not a number may mean: another delimiter, or a header line.
    private static string Hint(string cell, bool firstRow, Format format) =>
        format.Delimiter != '\t' && cell.Contains('\t', StringComparison.Ordinal) ? " (the cells look tab-separated: pass --delimiter tab)"
        : format.Delimiter != ';' && cell.Contains(';', StringComparison.Ordinal) ? " (the cells look semicolon-separated: pass --delimiter ';')"
        : firstRow && !format.Header ? " (if the first line is a header, pass --header)"
        : "";

    // A huge bad cell is not echoed whole.
    private static string Shown(string cell) => cell.Length <= 40 ? cell : cell[..40] + "…";

    private static IEnumerable<string> Lines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            yield return line;
    }
}
