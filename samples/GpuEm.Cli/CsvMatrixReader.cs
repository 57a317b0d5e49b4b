using System.Globalization;

namespace GpuEm.Cli;

/// <summary>Reads a headerless numeric CSV into an n × d matrix, with errors that name the line.</summary>
public static class CsvMatrixReader
{
    /// <summary>Reads <paramref name="path"/>; blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="allowMissing">Read empty cells and NaN as missing (NaN) instead of failing.</param>
    /// <returns>The rows, each the same length.</returns>
    /// <exception cref="InvalidDataException">A cell is not a finite number, rows differ in length,
    /// or the file holds no rows; the message names the 1-based line and column.</exception>
    public static float[,] Read(string path, bool allowMissing = false)
    {
        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path), allowMissing);
    }

    /// <summary>Reads CSV text from a reader.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="allowMissing">Read empty cells and NaN as missing (NaN) instead of failing.</param>
    /// <returns>The rows.</returns>
    public static float[,] Read(TextReader reader, string name, bool allowMissing = false)
    {
        var rows = new List<float[]>();
        int columns = -1;
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string[] cells = line.Split(',');
            if (columns < 0)
                columns = cells.Length;
            else if (cells.Length != columns)
                throw new InvalidDataException(
                    $"{name} line {lineNumber}: {cells.Length} columns, but the first row has {columns}.");
            var row = new float[columns];
            for (int j = 0; j < columns; j++)
            {
                string cell = cells[j].Trim();
                if (allowMissing && (cell.Length == 0 || cell.Equals("NaN", StringComparison.OrdinalIgnoreCase)))
                {
                    row[j] = float.NaN;
                    continue;
                }
                if (cell.Length == 0)
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: the cell is empty (for missing values use --missing marginalize).");
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: '{Arguments.Clip(cell)}' is not a number.");
                if (!float.IsFinite(value))
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, column {j + 1}: '{Arguments.Clip(cell)}' is not finite (for missing values use --missing marginalize).");
                row[j] = value;
            }
            rows.Add(row);
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"{name} holds no data rows.");
        var result = new float[rows.Count, columns];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = rows[i][j];
        return result;
    }
}
